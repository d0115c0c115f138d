import type { TenantEvent } from "../../core/auth/tenant.ts";
import type { EventMapper } from "../../core/kit/event-mapper.ts";
import { encodeEvent } from "../../adapters/protobuf/integration-event-encoding.ts";
import { TenantCreatedSchema, TenantDisabledSchema, TenantEnabledSchema } from "../../gen/shop/events/v1/tenant_events_pb.ts";
import { TENANT_EVENTS_TOPIC } from "../runtime/event-topics.ts";
export { TENANT_EVENTS_TOPIC };

/**
 * Tenant events go out under the tenant they are about (not the operator's), keyed by tenant
 * id, so every context can keep its own view of which tenants are active.
 */
export const tenantEventMapper: EventMapper<TenantEvent> = (event, ctx) => {
  const tenant = event.tenant;
  const address = { topic: TENANT_EVENTS_TOPIC, key: tenant.id, occurredAt: tenant.updatedAt };
  const scope = { tenantId: tenant.id, correlationId: ctx.correlationId };
  switch (event.type) {
    case "TenantCreated":
      return encodeEvent(
        TenantCreatedSchema,
        {
          tenantId: tenant.id,
          displayName: tenant.displayName,
          currencyCode: tenant.currency,
          defaultLocale: tenant.defaultLocale,
          firstAdminEmail: event.firstAdminEmail ?? "",
        },
        address,
        scope,
      );
    case "TenantDisabled":
      return encodeEvent(TenantDisabledSchema, { tenantId: tenant.id, reason: event.reason }, address, scope);
    case "TenantEnabled":
      return encodeEvent(TenantEnabledSchema, { tenantId: tenant.id }, address, scope);
  }
};
