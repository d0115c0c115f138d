import type { SqlEntityManager } from "@mikro-orm/sql";
import type { RetentionTarget } from "../../core/kit/retention.ts";
import { expiredUserIdempotencyRecords, expiredUserTokens } from "../../adapters/mikro-orm/users/users-retention.ts";
import type { RetentionSettings } from "../runtime/retention-config.ts";
import { afterExpiry, idempotencyWindow, messagingRetentionTargets } from "../runtime/retention-targets.ts";

/** What users' sweeper deletes: expired single-use tokens, idempotent answers past the window, old messaging rows. */
export function usersRetentionTargets(em: SqlEntityManager, settings: RetentionSettings): RetentionTarget[] {
  return [
    afterExpiry("user_tokens", expiredUserTokens(em), settings),
    idempotencyWindow("user_idempotency_keys", expiredUserIdempotencyRecords(em), settings),
    ...messagingRetentionTargets(em, settings),
  ];
}
