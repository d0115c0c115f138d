import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import {
  createTenant,
  disableTenant,
  enableTenant,
  getTenant,
  listTenants,
  type TenantAdminDeps,
} from "../../core/auth/tenant-admin.ts";
import type { TenantSnapshot, TenantStatus as CoreStatus } from "../../core/auth/tenant.ts";
import { parseTenantId } from "../../core/kit/request-context.ts";
import { requestContext } from "../../adapters/rpc/call-context.ts";
import { type TenantSchema, type TenantService, TenantStatus } from "../../gen/shop/auth/v1/tenants_pb.ts";

/** TenantService: proto in, core use case, proto out. Platform operators only (checked in the core). */
export function tenantHandlers(deps: TenantAdminDeps): ServiceImpl<typeof TenantService> {
  return {
    async createTenant(request, ctx) {
      const tenant = await createTenant(deps, requestContext(ctx), {
        id: parseTenantId(request.tenantId),
        displayName: request.displayName,
        currency: request.currencyCode || "EUR",
        defaultLocale: request.defaultLocale || "en",
        firstAdminEmail: request.firstAdminEmail || undefined,
      });
      return { tenant: toProto(tenant) };
    },
    async getTenant(request, ctx) {
      return { tenant: toProto(await getTenant(deps, requestContext(ctx), request.tenantId)) };
    },
    async listTenants(request, ctx) {
      const page = await listTenants(deps, requestContext(ctx), {
        status: fromProtoStatus(request.status),
        pageSize: request.page?.pageSize,
        pageToken: request.page?.pageToken,
      });
      return { tenants: page.tenants.map(toProto), page: { nextPageToken: page.nextPageToken ?? "" } };
    },
    async disableTenant(request, ctx) {
      return { tenant: toProto(await disableTenant(deps, requestContext(ctx), request.tenantId, request.reason)) };
    },
    async enableTenant(request, ctx) {
      return { tenant: toProto(await enableTenant(deps, requestContext(ctx), request.tenantId)) };
    },
  };
}

function toProto(tenant: TenantSnapshot): MessageInitShape<typeof TenantSchema> {
  return {
    tenantId: tenant.id,
    displayName: tenant.displayName,
    status: tenant.status === "active" ? TenantStatus.ACTIVE : TenantStatus.DISABLED,
    currencyCode: tenant.currency,
    defaultLocale: tenant.defaultLocale,
    createTime: timestampFromDate(tenant.createdAt),
    updateTime: timestampFromDate(tenant.updatedAt),
    disabledReason: tenant.disabledReason ?? "",
  };
}

function fromProtoStatus(status: TenantStatus): CoreStatus | undefined {
  if (status === TenantStatus.ACTIVE) return "active";
  if (status === TenantStatus.DISABLED) return "disabled";
  return undefined;
}
