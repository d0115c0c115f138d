// Tenant administration from a shell with access to the auth database: the way to create the
// first tenants before any operator can log in (and a break-glass tool after).
//   node services/auth/tenant-cli.ts create <tenant-id> <display name> [currency] [locale]
//   node services/auth/tenant-cli.ts disable <tenant-id> <reason>
//   node services/auth/tenant-cli.ts enable <tenant-id>
//   node services/auth/tenant-cli.ts list
// Reads SHOPMESH_MYSQL_URL and SHOPMESH_AUTH_DATABASE; the auth process's outbox relay
// publishes the resulting tenant events.
import { z } from "zod";
import { createTenant, disableTenant, enableTenant, listTenants } from "../../core/auth/tenant-admin.ts";
import { systemClock } from "../../core/kit/clock.ts";
import { isDomainError } from "../../core/kit/domain-error.ts";
import { randomId } from "../../core/kit/ids.ts";
import { parseTenantId, type RequestContext } from "../../core/kit/request-context.ts";
import { Roles } from "../../core/kit/roles.ts";
import { readConfig } from "../../adapters/config/env-config.ts";
import { MikroOrmTenantRepository } from "../../adapters/mikro-orm/auth/mikro-orm-tenant-repository.ts";
import { openSqlDatabase } from "../../adapters/mikro-orm/sql-database.ts";
import { authEntities } from "./auth-module.ts";
import { tenantEventMapper } from "./tenant-event-mapper.ts";

const config = readConfig(
  z.object({
    SHOPMESH_MYSQL_URL: z.string().url(),
    SHOPMESH_AUTH_DATABASE: z
      .string()
      .regex(/^[a-z0-9_]{1,64}$/)
      .default("shopmesh_auth"),
  }),
);

const operator: RequestContext = {
  tenantId: parseTenantId("platform"),
  caller: { userId: "tenant-cli", roles: [Roles.platformOperator] },
  correlationId: `tenant-cli-${randomId()}`,
  signal: AbortSignal.timeout(30_000),
};

const [command, ...args] = process.argv.slice(2);
const db = await openSqlDatabase(
  { kind: "mysql", url: config.SHOPMESH_MYSQL_URL, database: config.SHOPMESH_AUTH_DATABASE },
  authEntities,
);
const deps = { tenants: new MikroOrmTenantRepository(db.em, tenantEventMapper), clock: systemClock };
try {
  switch (command) {
    case "create": {
      const [id = "", displayName = "", currency = "EUR", locale = "en"] = args;
      print(await createTenant(deps, operator, { id: parseTenantId(id), displayName, currency, defaultLocale: locale }));
      break;
    }
    case "disable":
      print(await disableTenant(deps, operator, args[0] ?? "", args.slice(1).join(" ")));
      break;
    case "enable":
      print(await enableTenant(deps, operator, args[0] ?? ""));
      break;
    case "list":
      for (const tenant of (await listTenants(deps, operator, { pageSize: 100 })).tenants) print(tenant);
      break;
    default:
      throw new Error("usage: tenant-cli.ts create|disable|enable|list ...");
  }
} catch (error) {
  process.stderr.write(`${isDomainError(error) ? `${error.code}: ${error.message}` : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await db.close();
}

function print(tenant: { id: string; status: string; displayName: string }): void {
  process.stdout.write(`${tenant.id}\t${tenant.status}\t${tenant.displayName}\n`);
}
