import type { Clock } from "../kit/clock.ts";
import { requireRole } from "../kit/caller-guards.ts";
import { alreadyExists, notFound } from "../kit/domain-error.ts";
import { parseTenantId, type RequestContext } from "../kit/request-context.ts";
import { Roles } from "../kit/roles.ts";
import { type NewTenant, Tenant, type TenantSnapshot, type TenantStatus } from "./tenant.ts";
import type { TenantRepository } from "./tenant-repository.ts";

export interface TenantAdminDeps {
  readonly tenants: TenantRepository;
  readonly clock: Clock;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 100;

/** Creates a tenant; asking again for the same tenant answers it again (a retry is safe). */
export async function createTenant(deps: TenantAdminDeps, ctx: RequestContext, input: NewTenant): Promise<TenantSnapshot> {
  requirePlatformAdmin(ctx);
  const existing = await deps.tenants.find(input.id);
  if (existing) {
    if (existing.matches(input)) return existing.snapshot();
    throw alreadyExists("TENANT.ALREADY_EXISTS", `tenant ${input.id} already exists`);
  }
  const tenant = Tenant.create(input, deps.clock.now());
  await deps.tenants.add(tenant, ctx);
  return tenant.snapshot();
}

export async function getTenant(deps: TenantAdminDeps, ctx: RequestContext, id: string): Promise<TenantSnapshot> {
  requirePlatformAdmin(ctx);
  return (await load(deps, id)).snapshot();
}

export async function listTenants(
  deps: TenantAdminDeps,
  ctx: RequestContext,
  query: { status?: TenantStatus; pageSize?: number; pageToken?: string },
): Promise<{ tenants: TenantSnapshot[]; nextPageToken: string | undefined }> {
  requirePlatformAdmin(ctx);
  const pageSize = Math.min(query.pageSize || DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
  const page = await deps.tenants.list({ ...query, pageSize });
  return { tenants: page.tenants.map((t) => t.snapshot()), nextPageToken: page.nextPageToken };
}

/** Disabling is idempotent: a disabled tenant stays disabled with its first reason. */
export async function disableTenant(
  deps: TenantAdminDeps,
  ctx: RequestContext,
  id: string,
  reason: string,
): Promise<TenantSnapshot> {
  requirePlatformAdmin(ctx);
  const tenant = await load(deps, id);
  tenant.disable(reason, deps.clock.now());
  await deps.tenants.update(tenant, ctx);
  return tenant.snapshot();
}

export async function enableTenant(deps: TenantAdminDeps, ctx: RequestContext, id: string): Promise<TenantSnapshot> {
  requirePlatformAdmin(ctx);
  const tenant = await load(deps, id);
  tenant.enable(deps.clock.now());
  await deps.tenants.update(tenant, ctx);
  return tenant.snapshot();
}

async function load(deps: TenantAdminDeps, id: string): Promise<Tenant> {
  const tenant = await deps.tenants.find(parseTenantId(id));
  if (!tenant) throw notFound("tenant", id);
  return tenant;
}

function requirePlatformAdmin(ctx: RequestContext): void {
  requireRole(ctx, Roles.platformOperator);
}
