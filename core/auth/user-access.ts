import type { RequestContext } from "../kit/request-context.ts";

/** What the users context says about a user at login and refresh. */
export interface UserAccess {
  readonly userId: string;
  readonly status: "active" | "disabled";
  /** Role names as carried in access tokens (core/kit/roles.ts). */
  readonly roles: readonly string[];
  readonly emailVerified: boolean;
}

/**
 * Asks the users context (UserService.GetUserAccess) in the caller's tenant. Undefined when the
 * user does not exist; UNAVAILABLE when users cannot answer.
 */
export interface UserAccessLookup {
  find(ctx: RequestContext, userId: string): Promise<UserAccess | undefined>;
}
