import { createContextKey, type HandlerContext } from "@connectrpc/connect";
import type { DescMethod } from "@bufbuild/protobuf";
import { invalidField } from "../../core/kit/domain-error.ts";
import { type Caller, parseTenantId, type RequestContext, type TenantId } from "../../core/kit/request-context.ts";

export const TENANT_HEADER = "x-tenant-id";
export const CORRELATION_HEADER = "x-correlation-id";

/** Who a call comes from, as far as its headers (and, later, its token) tell. */
export interface CallIdentity {
  readonly tenantId: TenantId | undefined;
  readonly caller: Caller | undefined;
}

export type IdentityResolver = (header: Headers, method: DescMethod) => Promise<CallIdentity>;

/** Anonymous calls name their tenant in a header; the format is checked here. */
export const tenantFromHeader: IdentityResolver = async (header) => {
  const tenant = header.get(TENANT_HEADER);
  return { tenantId: tenant === null ? undefined : parseTenantId(tenant, TENANT_HEADER), caller: undefined };
};

export interface CallScope extends CallIdentity {
  readonly correlationId: string;
}

export const callScopeKey = createContextKey<CallScope | undefined>(undefined, { description: "shopmesh call scope" });

/** The core's view of the call. Throws INVALID_ARGUMENT naming the header when no tenant is known. */
export function requestContext(ctx: HandlerContext): RequestContext {
  const scope = ctx.values.get(callScopeKey);
  if (!scope) throw new Error(`${ctx.method.name}: handler is not wrapped by serviceHandlers()`);
  if (!scope.tenantId) throw invalidField(TENANT_HEADER, "required");
  return { tenantId: scope.tenantId, caller: scope.caller, correlationId: scope.correlationId, signal: ctx.signal };
}

export function correlationIdOf(ctx: HandlerContext): string {
  return ctx.values.get(callScopeKey)?.correlationId ?? "";
}
