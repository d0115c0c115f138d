import type { SqlEntityManager } from "@mikro-orm/sql";
import type { RetentionTarget } from "../../core/kit/retention.ts";
import { expiredSessions } from "../../adapters/mikro-orm/auth/session-retention.ts";
import type { RetentionSettings } from "../runtime/retention-config.ts";
import { afterExpiry, messagingRetentionTargets } from "../runtime/retention-targets.ts";

/** What auth's sweeper deletes: dead sessions with their refresh-token digests, and the messaging tables' old rows. */
export function authRetentionTargets(em: SqlEntityManager, settings: RetentionSettings): RetentionTarget[] {
  return [afterExpiry("auth_sessions", expiredSessions(em), settings), ...messagingRetentionTargets(em, settings)];
}
