import { invalidField } from "./domain-error.ts";

/** Who is calling, on behalf of which tenant, within which traced workflow. */
export interface RequestContext {
  readonly tenantId: TenantId;
  readonly caller: Caller | undefined;
  readonly correlationId: string;
  /** Aborts when the caller gives up or its deadline passes; hand it to every downstream call. */
  readonly signal: AbortSignal;
}

export interface Caller {
  readonly userId: string;
  readonly roles: readonly string[];
  /** The session (refresh token family) the caller's access token belongs to, when it says. */
  readonly sessionId?: string | undefined;
}

declare const tenantBrand: unique symbol;
/** A tenant identifier that has passed validation: lower-case slug, 2..63 chars. */
export type TenantId = string & { readonly [tenantBrand]: true };

const TENANT_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export function parseTenantId(value: string, field = "tenant_id"): TenantId {
  if (value.length < 2 || !TENANT_PATTERN.test(value)) {
    throw invalidField(field, "must be 2-63 lower-case letters, digits or dashes");
  }
  return value as TenantId;
}

const CORRELATION_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** A caller-supplied correlation id is kept when it is sane; otherwise a new one is made. */
export function correlationIdFrom(value: string | null | undefined, newId: () => string): string {
  return value && CORRELATION_PATTERN.test(value) ? value : newId();
}

export function hasRole(ctx: RequestContext, role: string): boolean {
  return ctx.caller?.roles.includes(role) ?? false;
}
