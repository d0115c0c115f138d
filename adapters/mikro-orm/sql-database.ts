import type { AnyEntity, EntitySchema } from "@mikro-orm/core";
import { MikroORM as MySqlMikroORM } from "@mikro-orm/mysql";
import { MikroORM, NodeSqliteDialect, type SqlEntityManager, type SqlSchemaGenerator, SqliteDriver } from "@mikro-orm/sql";
import { messagingEntities } from "./messaging-entities.ts";
import { skipMisreadColumnFacts } from "./schema-comparison-rules.ts";

/** Where a relational context keeps its data: MariaDB/MySQL in the mesh, a SQLite file embedded. */
export type SqlDatabaseLocation =
  | { readonly kind: "mysql"; readonly url: string; readonly database: string }
  | { readonly kind: "sqlite"; readonly file: string };

export interface SqlDatabase {
  readonly em: SqlEntityManager;
  readonly location: SqlDatabaseLocation;
  close(): Promise<void>;
}

/** What the kit uses of an initialised ORM, whichever the engine. */
export interface SqlOrm {
  readonly em: SqlEntityManager;
  readonly schema: SqlSchemaGenerator;
  close(force?: boolean): Promise<void>;
}

// biome-ignore lint/suspicious/noExplicitAny: MikroORM's entity list is heterogeneous by nature.
type Entities = readonly EntitySchema<any, any>[] | readonly AnyEntity[];

/**
 * Opens a context's database through the same MikroORM entities on either engine, with the
 * messaging tables (outbox, processed events, relay lock) alongside. The schema is brought up
 * to date additively (`safe`: never drops a column or table), so starting a newer version
 * against an older database is harmless; a destructive change needs a deliberate migration.
 * On a database that is already current the update runs nothing (schema-comparison-rules.ts;
 * tests/contract/sql-database/schema-drift.test.ts holds every context's entities to that).
 */
export async function openSqlDatabase(location: SqlDatabaseLocation, entities: Entities): Promise<SqlDatabase> {
  const orm = await initSqlOrm(location, entities);
  await orm.schema.ensureDatabase();
  await orm.schema.update({ safe: true });
  return { em: orm.em, location, close: () => orm.close(true) };
}

/** The ORM as openSqlDatabase configures it, schema untouched (the drift test asks it for the pending update). */
export async function initSqlOrm(location: SqlDatabaseLocation, entities: Entities): Promise<SqlOrm> {
  const all = [...entities, ...messagingEntities] as never[];
  const discovery = { afterDiscovered: skipMisreadColumnFacts(location.kind) };
  const orm =
    location.kind === "mysql"
      ? await MySqlMikroORM.init({
          clientUrl: location.url,
          dbName: location.database,
          entities: all,
          discovery,
          pool: { min: 0, max: 20 },
        })
      : await MikroORM.init({
          driver: SqliteDriver,
          dbName: location.file,
          driverOptions: new NodeSqliteDialect(location.file),
          entities: all,
          discovery,
        });
  // The engine's ORM types its entity manager generically; at run time it is the SQL one.
  return { em: orm.em as SqlEntityManager, schema: orm.schema as SqlSchemaGenerator, close: (force) => orm.close(force) };
}
