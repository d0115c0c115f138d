import { describeSqlProcessedEvents } from "./sql-processed-events.contract.ts";
import { createSqliteTestDatabase } from "./support/sqlite-test-database.ts";

describeSqlProcessedEvents("SQLite (node:sqlite)", createSqliteTestDatabase);
