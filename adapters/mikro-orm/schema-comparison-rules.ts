import type { MetadataStorage } from "@mikro-orm/core";

/**
 * Leaves out of MikroORM's (7.2) schema comparison the two column facts each engine reads back
 * differently from how they were written, which made every start re-run an update on a database
 * that was already current (tests/contract/sql-database/schema-drift.test.ts):
 *
 * - SQLite: an autoincrement key is created as `integer` (only an INTEGER PRIMARY KEY can
 *   autoincrement) and read back as a type change from the declared `bigint`, which SQLite can
 *   only apply by copying the whole table. The key's type is not compared there.
 * - MariaDB: information_schema gives the default of a nullable column declared without one as
 *   the text `NULL`, which the mysql driver reads as the string 'NULL' and "fixes" with a
 *   `MODIFY ... NULL`. The default of such a column is not compared there; a declared default
 *   still is.
 *
 * Creating tables and every other difference (a new column, table, index, nullability, a
 * length) are unaffected.
 */
export function skipMisreadColumnFacts(engine: "mysql" | "sqlite"): (storage: MetadataStorage) => void {
  return (storage) => {
    for (const meta of storage.getAll().values()) {
      for (const prop of meta.props) {
        const misread =
          engine === "sqlite"
            ? prop.primary && prop.autoincrement && "type"
            : prop.nullable && prop.default === undefined && prop.defaultRaw === undefined && "default";
        if (misread && !prop.ignoreSchemaChanges?.includes(misread)) {
          prop.ignoreSchemaChanges = [...(prop.ignoreSchemaChanges ?? []), misread];
        }
      }
    }
  };
}
