import type { SqlEntityManager } from "@mikro-orm/sql";
import type { ExpiredRecords } from "../../../core/kit/retention.ts";
import { sqlExpiredRecords } from "../retention-deletes.ts";
import { UserIdempotencyRecord } from "./user-idempotency-record.ts";
import { UserTokenRecord } from "./user-token-record.ts";

/** Single-use tokens past `expires_at`, spent or not: either way they answer `USER.TOKEN_INVALID`. */
export function expiredUserTokens(em: SqlEntityManager): ExpiredRecords {
  return sqlExpiredRecords(em, { entity: UserTokenRecord, stamp: "expiresAt" });
}

/** Stored answers of Register and AddAddress, by when they were written. */
export function expiredUserIdempotencyRecords(em: SqlEntityManager): ExpiredRecords {
  return sqlExpiredRecords(em, { entity: UserIdempotencyRecord, stamp: "createdAt" });
}
