// The auth context in a process of its own, on MariaDB, Redis and Kafka.
import { Redis } from "ioredis";
import { systemClock } from "../../core/kit/clock.ts";
import { readConfig } from "../../adapters/config/env-config.ts";
import { createKafka } from "../../adapters/kafka/kafka-client.ts";
import { createKafkaEventConsumer } from "../../adapters/kafka/kafka-event-consumer.ts";
import { createKafkaEventPublisher } from "../../adapters/kafka/kafka-event-publisher.ts";
import { ensureTopics } from "../../adapters/kafka/kafka-topics.ts";
import { openSqlDatabase } from "../../adapters/mikro-orm/sql-database.ts";
import { createLogger } from "../../adapters/observability/logger.ts";
import { createRpcUserAccessLookup } from "../../adapters/rpc/auth/rpc-user-access-lookup.ts";
import { createGrpcTransport } from "../../adapters/rpc/grpc-transport.ts";
import { createRedisLoginLimiter } from "../../adapters/redis/redis-login-limiter.ts";
import { platformModule } from "../platform/platform-module.ts";
import { kafkaModule } from "../runtime/kafka-module.ts";
import { startProcess, stopOnSignals } from "../runtime/run-process.ts";
import { accessTokenSettings, authConfigSchema } from "./auth-config.ts";
import { authConnectionsModule } from "./auth-connections.ts";
import { authEntities, authModule } from "./auth-module.ts";
import { loginSettings } from "./login-config.ts";
import { TENANT_EVENTS_TOPIC } from "./tenant-event-mapper.ts";
import { USER_EVENTS_TOPIC } from "./user-events-subscription.ts";
import { retentionSettingsOf } from "../runtime/retention-config.ts";

const config = readConfig(authConfigSchema);
const logger = createLogger("auth", config.SHOPMESH_LOG_LEVEL);
const login = loginSettings(config);

const kafka = createKafka({ brokers: config.SHOPMESH_KAFKA_BROKERS, clientId: "auth" });
await ensureTopics(kafka, [TENANT_EVENTS_TOPIC, USER_EVENTS_TOPIC]);
const publisher = createKafkaEventPublisher(kafka);
const db = await openSqlDatabase(
  { kind: "mysql", url: config.SHOPMESH_MYSQL_URL, database: config.SHOPMESH_AUTH_DATABASE },
  authEntities,
);
// Commands fail fast while Redis is away (no offline queue): a login then answers UNAVAILABLE at once.
const redis = new Redis(config.SHOPMESH_REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: 500 });
redis.on("error", (err) => logger.warn({ err }, "redis connection problem"));
const users = createGrpcTransport(config.SHOPMESH_USERS_ADDRESS);

const auth = authModule({
  retention: retentionSettingsOf(config),
  db,
  publisher,
  consumer: createKafkaEventConsumer(kafka),
  userAccess: createRpcUserAccessLookup(users),
  limiter: createRedisLoginLimiter(redis, { limits: login.limits }),
  clock: systemClock,
  logger,
  tokens: accessTokenSettings(config),
  login,
});
const running = await startProcess({
  modules: [
    platformModule(
      { service: "auth", version: config.SHOPMESH_VERSION, runMode: "distributed", contexts: () => ["auth"] },
      logger,
    ),
    kafkaModule(kafka, publisher),
    authConnectionsModule(redis, users),
    auth,
  ],
  logger,
  port: config.SHOPMESH_PORT,
  host: config.SHOPMESH_HOST,
  drainMs: config.SHOPMESH_DRAIN_MS,
});
stopOnSignals(running, logger);
logger.info({ url: running.server.url }, "auth is serving");
