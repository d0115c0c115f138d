import { invalidField } from "../kit/domain-error.ts";
import type { RequestContext } from "../kit/request-context.ts";
import type { User } from "./user.ts";
import { userErrors } from "./user-errors.ts";
import type { StoredToken, TokenPurpose } from "./user-token.ts";
import type { UsersDeps } from "./users-deps.ts";

/** The token a raw value names and the user it belongs to, or USER.TOKEN_INVALID (whatever is wrong). */
export async function tokenHolder(
  deps: Pick<UsersDeps, "users" | "secrets">,
  ctx: RequestContext,
  purpose: TokenPurpose,
  rawToken: string,
): Promise<{ user: User; token: StoredToken }> {
  if (rawToken.length === 0) throw invalidField("token", "required");
  if (rawToken.length > 256) throw invalidField("token", "at most 256 characters");
  const token = await deps.users.findToken(ctx.tenantId, purpose, deps.secrets.hash(rawToken));
  const user = token && (await deps.users.find(ctx.tenantId, token.userId));
  if (!token || !user) throw userErrors.tokenInvalid();
  return { user, token };
}
