import { isDomainError } from "../kit/domain-error.ts";
import type { RequestContext } from "../kit/request-context.ts";
import { Roles } from "../kit/roles.ts";
import { parseEmail } from "./email-address.ts";
import { User } from "./user.ts";
import { newToken } from "./user-token.ts";
import type { UsersDeps } from "./users-deps.ts";

/**
 * A new tenant named its first admin (TenantCreated.first_admin_email): that person becomes a
 * tenant admin of the tenant and is sent a link to set a first password. Safe to run again for
 * the same event: an email already known in the tenant is left as it is.
 */
export async function inviteFirstAdmin(deps: UsersDeps, ctx: RequestContext, emailInput: string): Promise<void> {
  const email = parseEmail(emailInput, "first_admin_email");
  if (await deps.users.findByEmail(ctx.tenantId, email.normalized)) return;
  const now = deps.clock.now();
  const admin = User.invite(
    {
      tenantId: ctx.tenantId,
      id: deps.newId(),
      email,
      displayName: email.value.split("@")[0]!,
      locale: "",
      marketingOptIn: false,
      roles: [Roles.tenantAdmin],
    },
    newToken(deps.secrets, deps.policy.invitationTokenTtlMs, now),
    now,
  );
  try {
    await deps.users.add(admin, ctx);
  } catch (error) {
    if (isDomainError(error) && error.code === "USER.EMAIL_TAKEN") return; // a concurrent delivery won
    throw error;
  }
}
