import { requireRole } from "../kit/caller-guards.ts";
import { permissionDenied } from "../kit/domain-error.ts";
import { hasRole, type RequestContext } from "../kit/request-context.ts";
import { Roles } from "../kit/roles.ts";

/** Admin RPCs: a tenant admin of the call's tenant. */
export function requireTenantAdmin(ctx: RequestContext): void {
  requireRole(ctx, Roles.tenantAdmin);
}

/**
 * Internal RPCs: served over gRPC only and admitted by the mesh, so an anonymous caller is a
 * service (the handlers refuse anonymous calls that come in over HTTP/1.1); a call that carries
 * a user token must be a tenant admin.
 */
export function requireServiceOrTenantAdmin(ctx: RequestContext): void {
  if (ctx.caller && !hasRole(ctx, Roles.tenantAdmin)) throw permissionDenied("requires an internal caller or role tenant_admin");
}
