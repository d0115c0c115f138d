import { createJoseAccessTokenVerifier } from "../../../../adapters/jose/jose-access-token-verifier.ts";
import { localJwks } from "../../../../adapters/jose/jose-local-jwks.ts";
import { createMemoryTenantDirectory } from "../../../../adapters/memory/memory-tenant-directory.ts";
import type { IdentityResolver } from "../../../../adapters/rpc/call-context.ts";
import { jwtIdentityResolver } from "../../../../adapters/rpc/jwt-identity-resolver.ts";
import { publishedJwks } from "../../../../core/auth/signing-key-ring.ts";
import { parseTenantId } from "../../../../core/kit/request-context.ts";
import type { Role } from "../../../../core/kit/roles.ts";
import { AUDIENCE, ISSUER, tokenKit } from "../../auth/support/token-kit.ts";

export interface TestIdentity {
  readonly resolveIdentity: IdentityResolver;
  /** An `authorization` header value for this user of this tenant. */
  bearer(tenant: string, userId: string, roles: readonly Role[]): Promise<string>;
}

/**
 * The one place component tests of users get identity from: the real JWT kit (keys in memory,
 * EdDSA tokens, the jose verifier, the same resolver every service uses) with tenants acme and
 * globex active.
 */
export async function testIdentity(): Promise<TestIdentity> {
  const kit = await tokenKit();
  const verifier = createJoseAccessTokenVerifier({
    keys: localJwks(() => publishedJwks(kit.ring.store)),
    issuer: ISSUER,
    audience: AUDIENCE,
  });
  return {
    resolveIdentity: jwtIdentityResolver({ verifier, tenants: createMemoryTenantDirectory(["acme", "globex"]) }),
    async bearer(tenant, userId, roles) {
      const issued = await kit.issuer.issue({ tenantId: parseTenantId(tenant), userId, roles, sessionId: `session-${userId}` });
      return `Bearer ${issued.token}`;
    },
  };
}
