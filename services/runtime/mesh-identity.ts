import { hostname } from "node:os";
import type { Kafka } from "kafkajs";
import { createJoseAccessTokenVerifier } from "../../adapters/jose/jose-access-token-verifier.ts";
import { remoteJwks } from "../../adapters/jose/jose-remote-jwks.ts";
import { startKafkaTenantDirectory } from "../../adapters/kafka/kafka-tenant-directory.ts";
import type { Logger } from "../../adapters/observability/logger.ts";
import type { IdentityResolver } from "../../adapters/rpc/call-context.ts";
import { jwtIdentityResolver } from "../../adapters/rpc/jwt-identity-resolver.ts";
import type { TenantDirectory } from "../../core/kit/tenant-directory.ts";
import { TENANT_EVENTS_TOPIC } from "../auth/tenant-event-mapper.ts";
import { closingModule } from "./closing-module.ts";
import type { ContextModule } from "./context-module.ts";

export interface MeshIdentityConfig {
  readonly SHOPMESH_AUTH_JWKS_URL: string;
  readonly SHOPMESH_TOKEN_ISSUER: string;
  readonly SHOPMESH_TOKEN_AUDIENCE: string;
  readonly SHOPMESH_TOKEN_CLOCK_TOLERANCE_SECONDS: number;
}

export interface MeshIdentity {
  /** Verifies access tokens against auth's JWKS; anonymous calls' tenants against the replica. */
  readonly resolveIdentity: IdentityResolver;
  /** The replica itself: which tenants are active, and their currencies (catalog prices and carts in them). */
  readonly tenants: TenantDirectory;
  /** Stops the tenant replica on the way out. */
  readonly module: ContextModule;
}

/**
 * Who is calling, for every context process other than auth: its replica of the active tenants
 * (from `tenant-events`, ready before the process serves) and the access-token verifier.
 */
export async function startMeshIdentity(
  service: string,
  kafka: Kafka,
  config: MeshIdentityConfig,
  logger: Logger,
): Promise<MeshIdentity> {
  const tenants = await startKafkaTenantDirectory(kafka, {
    topic: TENANT_EVENTS_TOPIC,
    instance: `${service}-${hostname()}-${process.pid}`,
  });
  await tenants.ready();
  const verifier = createJoseAccessTokenVerifier({
    keys: remoteJwks(config.SHOPMESH_AUTH_JWKS_URL),
    issuer: config.SHOPMESH_TOKEN_ISSUER,
    audience: config.SHOPMESH_TOKEN_AUDIENCE,
    clockToleranceSeconds: config.SHOPMESH_TOKEN_CLOCK_TOLERANCE_SECONDS,
    onRejected: (reason) => logger.info({ reason }, "access token refused"),
  });
  return {
    resolveIdentity: jwtIdentityResolver({ verifier, tenants }),
    tenants,
    module: closingModule("tenant-directory", () => tenants.stop()),
  };
}
