import { permissionDenied, unauthenticated } from "./domain-error.ts";
import type { Caller, RequestContext } from "./request-context.ts";
import type { Role } from "./roles.ts";

/**
 * Guards for handlers and use cases. No caller (no token) is UNAUTHENTICATED: the client
 * should log in. A caller who lacks the right is PERMISSION_DENIED: logging in again will
 * not help.
 */
export function requireCaller(ctx: RequestContext): Caller {
  if (!ctx.caller) throw unauthenticated();
  return ctx.caller;
}

/** The caller holds at least one of `roles`. */
export function requireRole(ctx: RequestContext, ...roles: readonly [Role, ...Role[]]): Caller {
  const caller = requireCaller(ctx);
  if (!roles.some((role) => caller.roles.includes(role))) throw permissionDenied(`requires role ${roles.join(" or ")}`);
  return caller;
}

/** The caller is the user `userId` itself, or holds `role` (e.g. a tenant admin acting on a user). */
export function requireSelfOrRole(ctx: RequestContext, userId: string, role: Role): Caller {
  const caller = requireCaller(ctx);
  if (caller.userId !== userId && !caller.roles.includes(role))
    throw permissionDenied(`requires the user itself or role ${role}`);
  return caller;
}
