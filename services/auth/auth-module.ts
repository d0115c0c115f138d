import type { LoginLimiter } from "../../core/auth/login-limiter.ts";
import { repositoryTenantDirectory } from "../../core/auth/repository-tenant-directory.ts";
import { type SigningKeyMaintenance, startSigningKeyMaintenance } from "../../core/auth/signing-key-maintenance.ts";
import { publishedJwks } from "../../core/auth/signing-key-ring.ts";
import type { UserAccessLookup } from "../../core/auth/user-access.ts";
import type { Clock } from "../../core/kit/clock.ts";
import type { EventConsumer, RunningSubscription } from "../../core/kit/event-consumer.ts";
import type { EventPublisher } from "../../core/kit/event-publisher.ts";
import type { HealthProbe } from "../../core/kit/health.ts";
import { randomId } from "../../core/kit/ids.ts";
import { createArgon2PasswordHasher } from "../../adapters/argon2/argon2-password-hasher.ts";
import { CredentialRecord } from "../../adapters/mikro-orm/auth/credential-record.ts";
import { MikroOrmCredentialRepository } from "../../adapters/mikro-orm/auth/mikro-orm-credential-repository.ts";
import { MikroOrmSessionRepository } from "../../adapters/mikro-orm/auth/mikro-orm-session-repository.ts";
import { MikroOrmTenantRepository } from "../../adapters/mikro-orm/auth/mikro-orm-tenant-repository.ts";
import { RefreshTokenRecord } from "../../adapters/mikro-orm/auth/refresh-token-record.ts";
import { SessionRecord } from "../../adapters/mikro-orm/auth/session-record.ts";
import { SigningKeyRecord } from "../../adapters/mikro-orm/auth/signing-key-record.ts";
import { TenantRecord } from "../../adapters/mikro-orm/auth/tenant-record.ts";
import { createMikroOrmProcessedEvents } from "../../adapters/mikro-orm/mikro-orm-processed-events.ts";
import type { SqlDatabase } from "../../adapters/mikro-orm/sql-database.ts";
import { nodeCryptoOpaqueTokens } from "../../adapters/node-crypto/node-crypto-opaque-tokens.ts";
import type { Logger } from "../../adapters/observability/logger.ts";
import type { IdentityResolver } from "../../adapters/rpc/call-context.ts";
import { JWKS_PATH, jwksHttpRoute } from "../../adapters/rpc/jwks-http-route.ts";
import { jwtIdentityResolver } from "../../adapters/rpc/jwt-identity-resolver.ts";
import { serviceHandlers } from "../../adapters/rpc/service-handlers.ts";
import { AuthService } from "../../gen/shop/auth/v1/auth_pb.ts";
import { TenantService } from "../../gen/shop/auth/v1/tenants_pb.ts";
import type { ContextModule } from "../runtime/context-module.ts";
import { relationalContextModule } from "../runtime/relational-context.ts";
import { DEFAULT_RETENTION_SETTINGS, type RetentionSettings } from "../runtime/retention-config.ts";
import { startRetentionSweeper } from "../runtime/retention-sweeper.ts";
import { type AccessTokenKit, type AccessTokenSettings, accessTokenKit } from "./access-token-kit.ts";
import { AUTH_INTERNAL_METHODS, authHandlers } from "./auth-handlers.ts";
import { authRetentionTargets } from "./auth-retention.ts";
import type { LoginSettings } from "./login-config.ts";
import { tenantEventMapper } from "./tenant-event-mapper.ts";
import { tenantHandlers } from "./tenant-handlers.ts";
import { subscribeToUserEvents } from "./user-events-subscription.ts";

/** The tables the auth context keeps in its database. */
export const authEntities = [TenantRecord, SigningKeyRecord, CredentialRecord, SessionRecord, RefreshTokenRecord];

export interface AuthModuleDeps {
  readonly db: SqlDatabase;
  readonly publisher: EventPublisher;
  /** Where `user-events` come from (Kafka in the mesh, the in-process bus embedded). */
  readonly consumer: EventConsumer;
  /** UserService.GetUserAccess (adapters/rpc/auth/rpc-user-access-lookup.ts). */
  readonly userAccess: UserAccessLookup;
  /** Redis in the mesh (shared by replicas), memory embedded. */
  readonly limiter: LoginLimiter;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly tokens: AccessTokenSettings;
  readonly login: LoginSettings;
  /** Probes of what the caller built for the module (e.g. Redis). */
  readonly probes?: readonly HealthProbe[];
  /** The retention sweeper's settings (docs: Retention); defaults when not given. */
  readonly retention?: RetentionSettings;
}

export interface AuthModule extends ContextModule {
  readonly tenants: MikroOrmTenantRepository;
  readonly accessTokens: AccessTokenKit;
  /** Verifies access tokens against auth's own keys and tenants: what embedded contexts use too. */
  readonly resolveIdentity: IdentityResolver;
}

/**
 * The auth context, the same in its own process and in the embedded one: tenants, signing keys
 * (maintained from start-up on), credentials, sessions, the JWKS route, and the consumer that
 * ends a disabled user's sessions.
 */
export function authModule(deps: AuthModuleDeps): AuthModule {
  const { db, clock, logger } = deps;
  const tenants = new MikroOrmTenantRepository(db.em, tenantEventMapper);
  const sessions = new MikroOrmSessionRepository(db.em);
  const accessTokens = accessTokenKit(db, deps.tokens, clock, logger);
  const resolveIdentity = jwtIdentityResolver({
    verifier: accessTokens.verifier,
    tenants: repositoryTenantDirectory(tenants, clock),
  });
  const options = { logger, resolveIdentity };
  const relational = relationalContextModule({
    name: "auth",
    db,
    publisher: deps.publisher,
    logger,
    handlers: [
      serviceHandlers(TenantService, tenantHandlers({ tenants, clock }), options),
      serviceHandlers(
        AuthService,
        authHandlers({
          credentials: new MikroOrmCredentialRepository(db.em),
          hasher: createArgon2PasswordHasher(deps.login.argon2),
          limiter: deps.limiter,
          sessions,
          tokens: nodeCryptoOpaqueTokens,
          issuer: accessTokens.issuer,
          users: deps.userAccess,
          clock,
          newId: randomId,
          policy: deps.login.sessions,
          signingKeys: accessTokens.store,
          trustedProxyHops: deps.login.trustedProxyHops,
        }),
        { ...options, internalMethods: AUTH_INTERNAL_METHODS },
      ),
    ],
    background: async () => {
      const settings = deps.retention ?? DEFAULT_RETENTION_SETTINGS;
      const targets = authRetentionTargets(db.em, settings);
      return [startRetentionSweeper({ context: "auth", targets, clock, settings, logger })];
    },
  });
  let maintenance: SigningKeyMaintenance | undefined;
  let userEvents: RunningSubscription | undefined;
  return {
    ...relational,
    probes: [...relational.probes, ...(deps.probes ?? [])],
    httpRoutes: { [JWKS_PATH]: jwksHttpRoute(() => publishedJwks(accessTokens.store)) },
    async start() {
      await relational.start?.();
      try {
        // Awaited: the process serves only once a signing key exists.
        maintenance = await startSigningKeyMaintenance(accessTokens.ring, {
          onSteps: (steps) => logger.info({ steps }, "signing keys changed"),
          onError: (err) => logger.error({ err }, "signing key maintenance failed"),
        });
        userEvents = await subscribeToUserEvents({
          consumer: deps.consumer,
          processedEvents: createMikroOrmProcessedEvents(db.em),
          sessions,
          clock,
          logger,
        });
      } catch (error) {
        // Not started means not stopped by the process either: undo what did start.
        await maintenance?.stop();
        await relational.stop?.();
        throw error;
      }
    },
    async stop() {
      await userEvents?.stop();
      await maintenance?.stop();
      await relational.stop?.();
    },
    tenants,
    accessTokens,
    resolveIdentity,
  };
}
