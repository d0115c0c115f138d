import { systemClock } from "../../core/kit/clock.ts";
import { readConfig } from "../../adapters/config/env-config.ts";
import { createKafka } from "../../adapters/kafka/kafka-client.ts";
import { createKafkaEventConsumer } from "../../adapters/kafka/kafka-event-consumer.ts";
import { createKafkaEventPublisher } from "../../adapters/kafka/kafka-event-publisher.ts";
import { ensureTopics } from "../../adapters/kafka/kafka-topics.ts";
import { openSqlDatabase } from "../../adapters/mikro-orm/sql-database.ts";
import { createLogger } from "../../adapters/observability/logger.ts";
import { createRedisClient, whenReady } from "../../adapters/redis/redis-client.ts";
import { createRedisProfileCache } from "../../adapters/redis/redis-profile-cache.ts";
import { createGrpcTransport } from "../../adapters/rpc/grpc-transport.ts";
import { platformModule } from "../platform/platform-module.ts";
import { kafkaModule } from "../runtime/kafka-module.ts";
import { closingModule } from "../runtime/closing-module.ts";
import { startMeshIdentity } from "../runtime/mesh-identity.ts";
import { startProcess, stopOnSignals } from "../runtime/run-process.ts";
import { createAuthCredentialRegistry } from "./auth-credential-registry.ts";
import { TENANT_EVENTS_TOPIC } from "./tenant-events-subscription.ts";
import { userPolicyOf, usersConfigSchema } from "./users-config.ts";
import { USER_EVENTS_TOPIC } from "./users-event-mapper.ts";
import { usersEntities, usersModule } from "./users-module.ts";
import { retentionSettingsOf } from "../runtime/retention-config.ts";

const config = readConfig(usersConfigSchema);
const logger = createLogger("users", config.SHOPMESH_LOG_LEVEL);

const kafka = createKafka({ brokers: config.SHOPMESH_KAFKA_BROKERS, clientId: "users" });
await ensureTopics(kafka, [USER_EVENTS_TOPIC, TENANT_EVENTS_TOPIC]);
const publisher = createKafkaEventPublisher(kafka);
const identity = await startMeshIdentity("users", kafka, config, logger);

// The cache may be down at start: the process serves from the database until Redis answers.
const redis = createRedisClient(config.SHOPMESH_REDIS_URL, { onError: (err) => logger.warn({ err }, "redis connection") });
if (!(await whenReady(redis, 2_000))) logger.warn("redis not ready: profiles are read from the database meanwhile");
const cache = createRedisProfileCache(redis, {
  ttlSeconds: config.SHOPMESH_USERS_PROFILE_CACHE_TTL_SECONDS,
  onError: (err, operation) => logger.warn({ err, operation }, "profile cache skipped"),
});

const auth = createGrpcTransport(config.SHOPMESH_AUTH_GRPC_TARGET);
const db = await openSqlDatabase(
  { kind: "mysql", url: config.SHOPMESH_MYSQL_URL, database: config.SHOPMESH_USERS_DATABASE },
  usersEntities,
);

const users = usersModule({
  retention: retentionSettingsOf(config),
  db,
  publisher,
  consumer: createKafkaEventConsumer(kafka),
  cache,
  credentials: createAuthCredentialRegistry(auth),
  clock: systemClock,
  logger,
  resolveIdentity: identity.resolveIdentity,
  policy: userPolicyOf(config),
});
const running = await startProcess({
  modules: [
    platformModule(
      { service: "users", version: config.SHOPMESH_VERSION, runMode: "distributed", contexts: () => ["users"] },
      logger,
    ),
    kafkaModule(kafka, publisher),
    identity.module,
    closingModule("redis", () => redis.quit()),
    closingModule("auth-client", () => auth.close()),
    users,
  ],
  logger,
  port: config.SHOPMESH_PORT,
  host: config.SHOPMESH_HOST,
  drainMs: config.SHOPMESH_DRAIN_MS,
});
stopOnSignals(running, logger);
logger.info({ url: running.server.url }, "users is serving");
