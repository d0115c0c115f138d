import { UserService } from "../../gen/shop/users/v1/users_pb.ts";
import type { Clock } from "../../core/kit/clock.ts";
import type { EventConsumer, RunningSubscription } from "../../core/kit/event-consumer.ts";
import type { EventPublisher } from "../../core/kit/event-publisher.ts";
import { randomId } from "../../core/kit/ids.ts";
import type { CredentialRegistry } from "../../core/users/credential-registry.ts";
import type { ProfileCache } from "../../core/users/profile-cache.ts";
import type { SecretTokens } from "../../core/users/secret-tokens.ts";
import { DEFAULT_USER_POLICY, type UserPolicy, type UsersDeps } from "../../core/users/users-deps.ts";
import { MikroOrmUserRepository } from "../../adapters/mikro-orm/users/mikro-orm-user-repository.ts";
import { createMikroOrmProcessedEvents } from "../../adapters/mikro-orm/mikro-orm-processed-events.ts";
import type { SqlDatabase } from "../../adapters/mikro-orm/sql-database.ts";
import { nodeSecretTokens } from "../../adapters/node-crypto/node-secret-tokens.ts";
import type { Logger } from "../../adapters/observability/logger.ts";
import type { IdentityResolver } from "../../adapters/rpc/call-context.ts";
import { serviceHandlers } from "../../adapters/rpc/service-handlers.ts";
import type { ContextModule } from "../runtime/context-module.ts";
import { relationalContextModule } from "../runtime/relational-context.ts";
import { DEFAULT_RETENTION_SETTINGS, type RetentionSettings } from "../runtime/retention-config.ts";
import { startRetentionSweeper } from "../runtime/retention-sweeper.ts";
import { subscribeToTenantEvents } from "./tenant-events-subscription.ts";
import { usersEventMapper } from "./users-event-mapper.ts";
import { USERS_INTERNAL_METHODS, usersHandlers } from "./users-handlers.ts";
import { usersRetentionTargets } from "./users-retention.ts";

export { usersEntities } from "./users-entities.ts";

export interface UsersModuleDeps {
  readonly db: SqlDatabase;
  readonly publisher: EventPublisher;
  /** Where `tenant-events` come from (Kafka in the mesh, the in-process bus embedded). */
  readonly consumer: EventConsumer;
  readonly cache: ProfileCache;
  readonly credentials: CredentialRegistry;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly resolveIdentity: IdentityResolver;
  readonly policy?: UserPolicy;
  readonly secrets?: SecretTokens;
  /** The retention sweeper's settings (docs: Retention); defaults when not given. */
  readonly retention?: RetentionSettings;
}

/**
 * The users context, the same in its own process and in the embedded one: UserService, the
 * outbox relay of `user-events`, and the consumer of `tenant-events` (first admins).
 */
export function usersModule(
  deps: UsersModuleDeps,
): ContextModule & { readonly users: MikroOrmUserRepository; readonly useCases: UsersDeps } {
  const users = new MikroOrmUserRepository(deps.db.em, usersEventMapper);
  const useCases: UsersDeps = {
    users,
    cache: deps.cache,
    credentials: deps.credentials,
    secrets: deps.secrets ?? nodeSecretTokens,
    clock: deps.clock,
    newId: randomId,
    policy: deps.policy ?? DEFAULT_USER_POLICY,
  };
  const options = { logger: deps.logger, resolveIdentity: deps.resolveIdentity, internalMethods: USERS_INTERNAL_METHODS };
  const relational = relationalContextModule({
    name: "users",
    db: deps.db,
    publisher: deps.publisher,
    logger: deps.logger,
    handlers: [serviceHandlers(UserService, usersHandlers(useCases), options)],
    background: async () => {
      const settings = deps.retention ?? DEFAULT_RETENTION_SETTINGS;
      const targets = usersRetentionTargets(deps.db.em, settings);
      return [startRetentionSweeper({ context: "users", targets, clock: deps.clock, settings, logger: deps.logger })];
    },
  });
  let tenantEvents: RunningSubscription | undefined;
  return {
    ...relational,
    users,
    useCases,
    async start() {
      await relational.start?.();
      tenantEvents = await subscribeToTenantEvents({
        consumer: deps.consumer,
        processedEvents: createMikroOrmProcessedEvents(deps.db.em),
        users: useCases,
        logger: deps.logger,
      });
    },
    async stop() {
      await tenantEvents?.stop();
      await relational.stop?.();
    },
  };
}
