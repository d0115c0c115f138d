import type { AnyEntity } from "@mikro-orm/core";
import { openSqlDatabase, type SqlDatabase } from "../../adapters/mikro-orm/sql-database.ts";
import type { IntegrationEvent } from "../../core/kit/integration-event.ts";
import { toIntegrationEvent } from "../../adapters/mikro-orm/mikro-orm-outbox-relay.ts";
import { OutboxEvent } from "../../adapters/mikro-orm/outbox-event-entity.ts";
import { requiredEnv } from "./required-env.ts";
import { uniqueName } from "./unique-name.ts";

export type SqlEngine = "sqlite" | "mariadb";

export interface SqlTestDatabase extends SqlDatabase {
  /** Every event the outbox holds, oldest first. */
  outbox(): Promise<IntegrationEvent[]>;
  /** Closes the connections and, on MariaDB, drops the database. */
  dispose(): Promise<void>;
}

/** A database of its own: in-memory SQLite, or `shopmesh_test_<purpose>_...` on the local MariaDB. */
export async function openSqlTestDatabase(
  engine: SqlEngine,
  purpose: string,
  entities: readonly unknown[],
): Promise<SqlTestDatabase> {
  const database = uniqueName(`shopmesh_test_${purpose}`);
  const db = await openSqlDatabase(
    engine === "mariadb"
      ? { kind: "mysql", url: requiredEnv("SHOPMESH_MYSQL_URL"), database }
      : { kind: "sqlite", file: ":memory:" },
    entities as AnyEntity[],
  );
  return {
    ...db,
    async outbox() {
      const rows = await db.em.fork().find(OutboxEvent, {}, { orderBy: { sequence: "asc" } });
      return rows.map(toIntegrationEvent);
    },
    async dispose() {
      if (engine === "mariadb") await db.em.getConnection().execute(`drop database if exists \`${database}\``);
      await db.close();
    },
  };
}
