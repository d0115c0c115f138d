import type { AnyEntity, EntitySchema } from "@mikro-orm/core";
import { MikroORM as MySqlMikroORM } from "@mikro-orm/mysql";
import { MikroORM, NodeSqliteDialect, type SqlEntityManager, SqliteDriver } from "@mikro-orm/sql";
import { messagingEntities } from "./messaging-entities.ts";

/** Where a relational context keeps its data: MariaDB/MySQL in the mesh, a SQLite file embedded. */
export type SqlDatabaseLocation =
  | { readonly kind: "mysql"; readonly url: string; readonly database: string }
  | { readonly kind: "sqlite"; readonly file: string };

export interface SqlDatabase {
  readonly em: SqlEntityManager;
  readonly location: SqlDatabaseLocation;
  close(): Promise<void>;
}

// biome-ignore lint/suspicious/noExplicitAny: MikroORM's entity list is heterogeneous by nature.
type Entities = readonly EntitySchema<any, any>[] | readonly AnyEntity[];

/**
 * Opens a context's database through the same MikroORM entities on either engine, with the
 * messaging tables (outbox, processed events, relay lock) alongside. The schema is brought up
 * to date additively (`safe`: never drops a column or table), so starting a newer version
 * against an older database is harmless; a destructive change needs a deliberate migration.
 */
export async function openSqlDatabase(location: SqlDatabaseLocation, entities: Entities): Promise<SqlDatabase> {
  const all = [...entities, ...messagingEntities] as never[];
  const orm =
    location.kind === "mysql"
      ? await MySqlMikroORM.init({ clientUrl: location.url, dbName: location.database, entities: all, pool: { min: 0, max: 20 } })
      : await MikroORM.init({
          driver: SqliteDriver,
          dbName: location.file,
          driverOptions: new NodeSqliteDialect(location.file),
          entities: all,
        });
  await orm.schema.ensureDatabase();
  await orm.schema.update({ safe: true });
  return { em: orm.em as SqlEntityManager, location, close: () => orm.close(true) };
}
