import type { Db } from "mongodb";
import type { RetentionTarget } from "../../core/kit/retention.ts";
import { SEARCH_LOCKS } from "../../adapters/mongo/catalog/mongo-search-index.ts";
import { DOCUMENT_LOCKS } from "../../adapters/mongo/mongo-insert-lock.ts";
import type { DocumentRetentionSettings } from "../runtime/retention-config.ts";
import { documentRetentionTargets } from "../runtime/retention-document-targets.ts";

/** What the catalog's sweeper deletes: old dedupe marks, stale document and search-index locks. */
export function catalogRetentionTargets(db: Db, settings: DocumentRetentionSettings): RetentionTarget[] {
  return documentRetentionTargets(db, settings, { processedEvents: true, lockCollections: [DOCUMENT_LOCKS, SEARCH_LOCKS] });
}
