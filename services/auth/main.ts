// The auth context in a process of its own, on MariaDB and Kafka.
import { systemClock } from "../../core/kit/clock.ts";
import { readConfig } from "../../adapters/config/env-config.ts";
import { createKafka } from "../../adapters/kafka/kafka-client.ts";
import { createKafkaEventPublisher } from "../../adapters/kafka/kafka-event-publisher.ts";
import { ensureTopics } from "../../adapters/kafka/kafka-topics.ts";
import { openSqlDatabase } from "../../adapters/mikro-orm/sql-database.ts";
import { createLogger } from "../../adapters/observability/logger.ts";
import { tenantFromHeader } from "../../adapters/rpc/call-context.ts";
import { platformModule } from "../platform/platform-module.ts";
import { kafkaModule } from "../runtime/kafka-module.ts";
import { startProcess, stopOnSignals } from "../runtime/run-process.ts";
import { authConfigSchema } from "./auth-config.ts";
import { authEntities, authModule } from "./auth-module.ts";
import { TENANT_EVENTS_TOPIC } from "./tenant-event-mapper.ts";

const config = readConfig(authConfigSchema);
const logger = createLogger("auth", config.SHOPMESH_LOG_LEVEL);

const kafka = createKafka({ brokers: config.SHOPMESH_KAFKA_BROKERS, clientId: "auth" });
await ensureTopics(kafka, [TENANT_EVENTS_TOPIC]);
const publisher = createKafkaEventPublisher(kafka);
const db = await openSqlDatabase(
  { kind: "mysql", url: config.SHOPMESH_MYSQL_URL, database: config.SHOPMESH_AUTH_DATABASE },
  authEntities,
);

const auth = authModule({ db, publisher, clock: systemClock, logger, resolveIdentity: tenantFromHeader });
const running = await startProcess({
  modules: [
    platformModule(
      { service: "auth", version: config.SHOPMESH_VERSION, runMode: "distributed", contexts: () => ["auth"] },
      logger,
    ),
    kafkaModule(kafka, publisher),
    auth,
  ],
  logger,
  port: config.SHOPMESH_PORT,
  host: config.SHOPMESH_HOST,
  drainMs: config.SHOPMESH_DRAIN_MS,
});
stopOnSignals(running, logger);
logger.info({ url: running.server.url }, "auth is serving");
