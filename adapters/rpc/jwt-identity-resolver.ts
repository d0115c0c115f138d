import type { AccessTokenVerifier } from "../../core/kit/access-token-verifier.ts";
import { DomainError, permissionDenied, unauthenticated } from "../../core/kit/domain-error.ts";
import { parseTenantId } from "../../core/kit/request-context.ts";
import type { TenantDirectory } from "../../core/kit/tenant-directory.ts";
import { type IdentityResolver, TENANT_HEADER } from "./call-context.ts";

export const AUTHORIZATION_HEADER = "authorization";

const BEARER = /^Bearer +([A-Za-z0-9\-_.]+) *$/i;

export interface JwtIdentityResolverOptions {
  readonly verifier: AccessTokenVerifier;
  readonly tenants: TenantDirectory;
}

/**
 * Who calls, for every service. With `authorization: Bearer <jwt>`: the token must verify
 * (else UNAUTHENTICATED), the tenant and the caller come from it, an `x-tenant-id` header
 * that names another tenant is PERMISSION_DENIED, and a tenant that is no longer active
 * makes the token invalid. Without a token: an anonymous call, whose `x-tenant-id` (when
 * present) must name an active tenant, else NOT_FOUND (`TENANT.NOT_FOUND`, field x-tenant-id).
 * Whether a method needs a caller or a role is for its handler (core/kit/caller-guards.ts).
 */
export function jwtIdentityResolver(options: JwtIdentityResolverOptions): IdentityResolver {
  const { verifier, tenants } = options;
  return async (header) => {
    const authorization = header.get(AUTHORIZATION_HEADER);
    const tenantHeader = header.get(TENANT_HEADER);
    if (authorization !== null) {
      const token = BEARER.exec(authorization)?.[1];
      if (!token) throw unauthenticated("invalid token", "AUTH.TOKEN_INVALID");
      const verified = await verifier.verify(token);
      if (tenantHeader !== null && tenantHeader !== verified.tenantId) {
        throw permissionDenied(`${TENANT_HEADER} does not match the token's tenant`, "AUTH.TENANT_MISMATCH");
      }
      if (!(await tenants.isActive(verified.tenantId))) throw unauthenticated("invalid token", "AUTH.TOKEN_INVALID");
      return { tenantId: verified.tenantId, caller: verified.caller };
    }
    if (tenantHeader === null) return { tenantId: undefined, caller: undefined };
    const tenantId = parseTenantId(tenantHeader, TENANT_HEADER);
    if (!(await tenants.isActive(tenantId))) throw unknownTenant(tenantId);
    return { tenantId, caller: undefined };
  };
}

function unknownTenant(tenantId: string): DomainError {
  return new DomainError("not_found", "TENANT.NOT_FOUND", `${TENANT_HEADER}: tenant ${tenantId} not found`, {
    field: TENANT_HEADER,
  });
}
