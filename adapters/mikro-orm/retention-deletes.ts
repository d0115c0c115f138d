import { type EntityName, IsolationLevel } from "@mikro-orm/core";
import type { SqlEntityManager } from "@mikro-orm/sql";
import type { ExpiredRecords } from "../../core/kit/retention.ts";

// biome-ignore lint/suspicious/noExplicitAny: the tables swept are of any entity; keys are read by name.
type Row = Record<string, any>;

export interface SqlRetentionTable {
  // biome-ignore lint/suspicious/noExplicitAny: see Row.
  readonly entity: EntityName<any>;
  /** The stamp property (a datetime column with an index that leads with it). */
  readonly stamp: string;
  /** Deletes what belongs to the picked rows, in the same transaction, before they go. */
  readonly dependents?: (tx: SqlEntityManager, keys: readonly Row[]) => Promise<void>;
}

/**
 * Expired rows of one table in MariaDB or SQLite. Each batch is one short read-committed
 * transaction: the primary keys of the oldest `limit` rows stamped before the cutoff (an index
 * range read in stamp order, no lock), then a delete by those keys that checks the stamp again,
 * so a row moved on meanwhile (a hold taken again, a session refreshed) stays. The delete locks
 * only the rows it removes: no range or gap locks (read committed), nothing that makes writers
 * of new rows wait. Two sweepers on one table are safe: the second finds the rows gone.
 */
export function sqlExpiredRecords(em: SqlEntityManager, table: SqlRetentionTable): ExpiredRecords {
  const { entity, stamp, dependents } = table;
  return {
    async deleteBefore(cutoff, limit) {
      const primaryKeys = em.getMetadata().get(entity).primaryKeys as string[];
      return em.fork().transactional(
        async (tx) => {
          const picked: Row[] = await tx.find(
            entity,
            { [stamp]: { $lt: cutoff } },
            { orderBy: { [stamp]: "asc" }, limit, fields: primaryKeys as never[], disableIdentityMap: true },
          );
          if (picked.length === 0) return { found: 0, deleted: 0 };
          const keys = picked.map((row) => Object.fromEntries(primaryKeys.map((key) => [key, row[key]])));
          await dependents?.(tx, keys);
          const deleted = await tx.nativeDelete(entity, { $and: [keysFilter(primaryKeys, keys), { [stamp]: { $lt: cutoff } }] });
          return { found: picked.length, deleted };
        },
        { isolationLevel: IsolationLevel.READ_COMMITTED },
      );
    },
  };
}

function keysFilter(primaryKeys: readonly string[], keys: readonly Row[]): Row {
  if (primaryKeys.length === 1) {
    const [key] = primaryKeys as [string];
    return { [key]: { $in: keys.map((row) => row[key]) } };
  }
  return { $or: keys };
}
