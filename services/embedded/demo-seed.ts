import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Tenant } from "../../core/auth/tenant.ts";
import type { TenantRepository } from "../../core/auth/tenant-repository.ts";
import type { Clock } from "../../core/kit/clock.ts";
import { parseTenantId, type RequestContext, type TenantId } from "../../core/kit/request-context.ts";
import { type Role, Roles } from "../../core/kit/roles.ts";
import { parseEmail } from "../../core/users/email-address.ts";
import { register } from "../../core/users/registration.ts";
import { saveUser } from "../../core/users/user-store.ts";
import type { UsersDeps } from "../../core/users/users-deps.ts";

const DEMO_TENANTS = [
  { id: parseTenantId("platform"), displayName: "shopmesh platform operators", currency: "EUR", defaultLocale: "en" },
  { id: parseTenantId("demo"), displayName: "Demo Store", currency: "EUR", defaultLocale: "en" },
];

const DEMO_ACCOUNTS: readonly { tenant: string; email: string; displayName: string; roles: Role[] }[] = [
  { tenant: "platform", email: "operator@shopmesh.local", displayName: "Platform Operator", roles: [Roles.platformOperator] },
  { tenant: "demo", email: "admin@demo.shop", displayName: "Demo Admin", roles: [Roles.tenantAdmin, Roles.customer] },
  { tenant: "demo", email: "customer@demo.shop", displayName: "Demo Customer", roles: [Roles.customer] },
];

export const DEMO_ACCOUNTS_FILE = "demo-accounts.txt";

/**
 * Demo data for a first look, idempotent so every start may run it: the platform and demo
 * tenants, and one account per role. Their passwords are random, made at first start and
 * written only to the data folder (never to the repository); the file is what `make run` prints.
 */
export async function seedDemoData(deps: {
  tenants: TenantRepository;
  users: UsersDeps;
  clock: Clock;
  dataDir: string;
}): Promise<string> {
  for (const input of DEMO_TENANTS) {
    if (await deps.tenants.find(input.id)) continue;
    await deps.tenants.add(Tenant.create(input, deps.clock.now()), seeder(input.id));
  }
  const file = join(deps.dataDir, DEMO_ACCOUNTS_FILE);
  const lines: string[] = [];
  for (const account of DEMO_ACCOUNTS) {
    const tenantId = parseTenantId(account.tenant);
    if (await deps.users.users.findByEmail(tenantId, parseEmail(account.email).normalized)) continue;
    const password = randomBytes(12).toString("base64url");
    const ctx = seeder(tenantId);
    const view = await register(deps.users, ctx, {
      email: account.email,
      password,
      displayName: account.displayName,
      locale: "en",
      marketingOptIn: false,
      idempotencyKey: `demo-seed-${account.tenant}-${account.email}`,
    });
    const user = (await deps.users.users.find(tenantId, view.id))!;
    user.setRoles(account.roles, deps.clock.now());
    await saveUser(deps.users, user, ctx);
    lines.push(`${account.tenant}\t${account.email}\t${password}\t${account.roles.join(",")}`);
  }
  if (lines.length > 0) writeFileSync(file, `${lines.join("\n")}\n`, { flag: "a", mode: 0o600 });
  return readFileSync(file, "utf8");
}

function seeder(tenantId: TenantId): RequestContext {
  return {
    tenantId,
    caller: { userId: "demo-seed", roles: [Roles.platformOperator] },
    correlationId: "demo-seed",
    signal: AbortSignal.timeout(30_000),
  };
}
