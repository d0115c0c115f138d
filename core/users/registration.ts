import { isDomainError } from "../kit/domain-error.ts";
import type { RequestContext } from "../kit/request-context.ts";
import { parseEmail } from "./email-address.ts";
import { answerRecord, type IdempotentCommand, idempotentCommand, priorAnswer } from "./idempotent-command.ts";
import { User } from "./user.ts";
import { checkPassword, parseDisplayName, parseLocale } from "./user-fields.ts";
import { retryOnConflict, saveUser } from "./user-store.ts";
import { newToken } from "./user-token.ts";
import { decodeUserView, encodeUserView, toView, type UserView } from "./user-view.ts";
import type { UsersDeps } from "./users-deps.ts";

export interface RegisterInput {
  readonly email: string;
  readonly password: string;
  readonly displayName: string;
  readonly locale: string;
  readonly marketingOptIn: boolean;
  readonly idempotencyKey: string;
}

/**
 * Creates a customer. Step 1 commits the user, its verification token, UserRegistered +
 * EmailVerificationRequested and the idempotency record in one transaction, with no password
 * yet. Step 2 hands the password to auth; step 3 records that it was set. When step 2 fails
 * the call fails, and the user can still get in: a retry with the same key resumes at step 2,
 * and a password reset (which proves the mailbox) sets a first password too.
 */
export async function register(deps: UsersDeps, ctx: RequestContext, input: RegisterInput): Promise<UserView> {
  const email = parseEmail(input.email);
  checkPassword(input.password);
  const displayName = parseDisplayName(input.displayName);
  const locale = parseLocale(input.locale);
  const command = idempotentCommand(deps, "register", input.idempotencyKey, [
    email.normalized,
    displayName,
    locale,
    input.marketingOptIn,
  ]);

  const prior = await priorAnswer(deps, ctx, command);
  if (prior) return setFirstPassword(deps, ctx, decodeUserView(prior), input.password);

  const now = deps.clock.now();
  const user = User.register(
    { tenantId: ctx.tenantId, id: deps.newId(), email, displayName, locale, marketingOptIn: input.marketingOptIn },
    newToken(deps.secrets, deps.policy.verificationTokenTtlMs, now),
    now,
  );
  const answer = toView(user.snapshot());
  try {
    await deps.users.add(user, ctx, { idempotency: answerRecord(command, encodeUserView(answer), now) });
  } catch (error) {
    const raced = await replayAfterRace(deps, ctx, command, error);
    return setFirstPassword(deps, ctx, raced, input.password);
  }
  return setFirstPassword(deps, ctx, answer, input.password);
}

/** A concurrent twin with the same key won the insert: answer what it stored; any other failure stands. */
async function replayAfterRace(deps: UsersDeps, ctx: RequestContext, command: IdempotentCommand, error: unknown) {
  if (!isDomainError(error) || error.kind !== "already_exists") throw error;
  const stored = await priorAnswer(deps, ctx, command);
  if (!stored) throw error;
  return decodeUserView(stored);
}

/** Steps 2 and 3, skipped when a first password is already recorded (a plain replay). */
async function setFirstPassword(deps: UsersDeps, ctx: RequestContext, answer: UserView, password: string): Promise<UserView> {
  const user = await deps.users.find(ctx.tenantId, answer.id);
  if (!user || user.passwordIsSet) return answer;
  await deps.credentials.setPassword(ctx, {
    userId: user.id,
    email: user.snapshot().normalizedEmail,
    password,
    revokeSessions: false,
  });
  await retryOnConflict(async () => {
    const fresh = (await deps.users.find(ctx.tenantId, answer.id))!;
    fresh.markPasswordSet(deps.clock.now());
    await saveUser(deps, fresh, ctx);
  });
  return answer;
}
