import { describeSqlProcessedEvents } from "./sql-processed-events.contract.ts";
import { createMariaDbTestDatabase } from "./support/mariadb-test-database.ts";

describeSqlProcessedEvents("MariaDB", () => createMariaDbTestDatabase("processed"));
