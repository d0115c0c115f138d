import { rateLimited } from "../kit/domain-error.ts";
import type { IdGenerator } from "../kit/ids.ts";
import type { RequestContext } from "../kit/request-context.ts";
import { invalidCredentials } from "./auth-errors.ts";
import type { CredentialRepository } from "./credential-repository.ts";
import { normalizeEmail } from "./login-email.ts";
import type { LoginAttemptKeys, LoginLimiter } from "./login-limiter.ts";
import { type LoginSource, maskIpAddress, sourceLimitKey } from "./login-source.ts";
import { dummyHash, type PasswordHasher } from "./password-hasher.ts";
import { checkPresentedPassword } from "./password-policy.ts";
import { Session } from "./session.ts";
import { activeUserAccess, type SessionDeps, type SessionTokens, sessionTokens } from "./session-tokens.ts";

export interface LoginDeps extends SessionDeps {
  readonly credentials: CredentialRepository;
  readonly hasher: PasswordHasher;
  readonly limiter: LoginLimiter;
  readonly newId: IdGenerator;
}

export interface LoginInput {
  readonly email: string;
  readonly password: string;
  readonly source: LoginSource;
}

/**
 * Email + password in, a new session out. Every failure is the same UNAUTHENTICATED, after the
 * same work (one password hash check, also for an unknown email), so neither the answer nor
 * its timing tells whether an email has an account. Attempts are limited per account and per
 * source before any hashing.
 */
export async function login(deps: LoginDeps, ctx: RequestContext, input: LoginInput): Promise<SessionTokens> {
  const email = normalizeEmail(input.email);
  checkPresentedPassword(input.password);
  const keys: LoginAttemptKeys = { tenantId: ctx.tenantId, email, source: sourceLimitKey(input.source.address) };
  const verdict = await deps.limiter.attempt(keys);
  if (!verdict.allowed) {
    throw rateLimited(
      verdict.limit === "account" ? "AUTH.TOO_MANY_LOGIN_ATTEMPTS" : "AUTH.TOO_MANY_LOGIN_ATTEMPTS_FROM_SOURCE",
      "too many failed logins: try again later",
      verdict.retryAfterMs,
    );
  }

  const credential = await deps.credentials.findByEmail(ctx.tenantId, email);
  const passwordMatches = await deps.hasher.verify(credential?.passwordHash ?? (await dummyHash(deps.hasher)), input.password);
  if (!credential || !passwordMatches) throw invalidCredentials();
  // The password was right: this was no guess, whatever users says next (even "unavailable",
  // which must not lock out a user who retries while users is down).
  await deps.limiter.succeeded(keys);
  const access = await activeUserAccess(deps.users, ctx, credential.userId);
  if (!access) throw invalidCredentials();

  const now = deps.clock.now();
  if (deps.hasher.needsRehash(credential.passwordHash)) {
    await deps.credentials.save({ ...credential, passwordHash: await deps.hasher.hash(input.password), updatedAt: now });
  }
  const refreshToken = deps.tokens.generate();
  const session = Session.open(
    {
      id: deps.newId(),
      tenantId: ctx.tenantId,
      userId: credential.userId,
      firstTokenDigest: deps.tokens.digest(refreshToken),
      userAgent: input.source.userAgent,
      ipAddressMasked: input.source.address === undefined ? "" : maskIpAddress(input.source.address),
    },
    now,
    deps.policy,
  );
  await deps.sessions.add(session);
  return sessionTokens(deps, session, access, refreshToken);
}
