import { TenantService } from "../../gen/shop/auth/v1/tenants_pb.ts";
import type { Clock } from "../../core/kit/clock.ts";
import type { EventPublisher } from "../../core/kit/event-publisher.ts";
import { MikroOrmTenantRepository } from "../../adapters/mikro-orm/auth/mikro-orm-tenant-repository.ts";
import { TenantRecord } from "../../adapters/mikro-orm/auth/tenant-record.ts";
import type { SqlDatabase } from "../../adapters/mikro-orm/sql-database.ts";
import type { Logger } from "../../adapters/observability/logger.ts";
import type { IdentityResolver } from "../../adapters/rpc/call-context.ts";
import { serviceHandlers } from "../../adapters/rpc/service-handlers.ts";
import type { ContextModule } from "../runtime/context-module.ts";
import { relationalContextModule } from "../runtime/relational-context.ts";
import { tenantEventMapper } from "./tenant-event-mapper.ts";
import { tenantHandlers } from "./tenant-handlers.ts";

/** The tables the auth context keeps in its database. */
export const authEntities = [TenantRecord];

export interface AuthModuleDeps {
  readonly db: SqlDatabase;
  readonly publisher: EventPublisher;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly resolveIdentity: IdentityResolver;
}

/** The auth context, the same in its own process and in the embedded one. */
export function authModule(deps: AuthModuleDeps): ContextModule & { readonly tenants: MikroOrmTenantRepository } {
  const tenants = new MikroOrmTenantRepository(deps.db.em, tenantEventMapper);
  const options = { logger: deps.logger, resolveIdentity: deps.resolveIdentity };
  return {
    ...relationalContextModule({
      name: "auth",
      db: deps.db,
      publisher: deps.publisher,
      logger: deps.logger,
      handlers: [serviceHandlers(TenantService, tenantHandlers({ tenants, clock: deps.clock }), options)],
    }),
    tenants,
  };
}
