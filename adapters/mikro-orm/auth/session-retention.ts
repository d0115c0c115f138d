import type { SqlEntityManager } from "@mikro-orm/sql";
import type { ExpiredRecords } from "../../../core/kit/retention.ts";
import { sqlExpiredRecords } from "../retention-deletes.ts";
import { RefreshTokenRecord } from "./refresh-token-record.ts";
import { SessionRecord } from "./session-record.ts";

/**
 * Sessions past `expires_at` (the earlier of the idle and the absolute expiry), with every
 * refresh-token digest they issued. A session past it never comes back (only a refresh of a live
 * session moves it), and a digest of a gone family answers as unknown, the same
 * `AUTH.REFRESH_TOKEN_INVALID` as an expired one, so nothing a client sees changes.
 */
export function expiredSessions(em: SqlEntityManager): ExpiredRecords {
  return sqlExpiredRecords(em, {
    entity: SessionRecord,
    stamp: "expiresAt",
    dependents: async (tx, keys) => {
      await tx.nativeDelete(RefreshTokenRecord, { sessionId: { $in: keys.map((key) => key.id as string) } });
    },
  });
}
