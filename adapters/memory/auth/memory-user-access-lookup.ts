import type { UserAccess, UserAccessLookup } from "../../../core/auth/user-access.ts";
import type { RequestContext } from "../../../core/kit/request-context.ts";

/** Users' answers kept in a Map per tenant: for tests of auth without the users context. */
export class MemoryUserAccessLookup implements UserAccessLookup {
  readonly #users = new Map<string, UserAccess>();
  /** How many times auth asked: tests check that a refresh reads the status again. */
  lookups = 0;

  put(tenantId: string, access: UserAccess): void {
    this.#users.set(JSON.stringify([tenantId, access.userId]), access);
  }

  async find(ctx: RequestContext, userId: string): Promise<UserAccess | undefined> {
    this.lookups++;
    return this.#users.get(JSON.stringify([ctx.tenantId, userId]));
  }
}
