import { expect } from "vitest";
import { fixedClock } from "../../../../core/kit/clock.ts";
import { DomainError } from "../../../../core/kit/domain-error.ts";
import { sequentialIds } from "../../../../core/kit/ids.ts";
import { parseTenantId, type RequestContext } from "../../../../core/kit/request-context.ts";
import { type Role, Roles } from "../../../../core/kit/roles.ts";
import type { RegisterInput } from "../../../../core/users/registration.ts";
import { register } from "../../../../core/users/registration.ts";
import type { SecretTokens } from "../../../../core/users/secret-tokens.ts";
import { DEFAULT_USER_POLICY, type UsersDeps } from "../../../../core/users/users-deps.ts";
import type { UserView } from "../../../../core/users/user-view.ts";
import { MemoryCredentialRegistry } from "../../../../adapters/memory/users/memory-credential-registry.ts";
import { createMemoryProfileCache } from "../../../../adapters/memory/users/memory-profile-cache.ts";
import { MemoryUserRepository } from "../../../../adapters/memory/users/memory-user-repository.ts";
import { decodeEvent } from "../../../../adapters/protobuf/integration-event-encoding.ts";
import { EmailVerificationRequestedSchema, PasswordResetRequestedSchema } from "../../../../gen/shop/events/v1/user_events_pb.ts";
import { usersEventMapper } from "../../../../services/users/users-event-mapper.ts";

/** Predictable secrets: tokens "secret-1", "secret-2", ...; the hash is visibly not the token. */
export function countingSecrets(): SecretTokens {
  let next = 0;
  return { generate: () => `secret-${++next}`, hash: (value) => `sha256(${value})` };
}

export function usersFixture() {
  const users = new MemoryUserRepository(usersEventMapper);
  const clock = fixedClock(new Date("2026-11-01T10:00:00.000Z"));
  const credentials = new MemoryCredentialRegistry();
  const cache = createMemoryProfileCache({ ttlMs: 60_000, clock });
  const deps: UsersDeps = {
    users,
    cache,
    credentials,
    secrets: countingSecrets(),
    clock,
    newId: sequentialIds("user"),
    policy: DEFAULT_USER_POLICY,
  };
  return {
    deps,
    users,
    clock,
    credentials,
    cache,
    eventTypes: () => users.outbox.map((e) => e.type.replace("shop.events.v1.", "")),
    /** The raw token of the latest EmailVerificationRequested for `userId`. */
    verificationToken(userId: string): string {
      const event = users.outbox.findLast((e) => e.key === userId && e.type === EmailVerificationRequestedSchema.typeName);
      return decodeEvent(EmailVerificationRequestedSchema, event!)!.verificationToken;
    },
    resetToken(userId: string): string {
      const event = users.outbox.findLast((e) => e.key === userId && e.type === PasswordResetRequestedSchema.typeName);
      return decodeEvent(PasswordResetRequestedSchema, event!)!.resetToken;
    },
    async registered(ctx: RequestContext, overrides: Partial<RegisterInput> = {}): Promise<UserView> {
      return register(deps, ctx, aRegistration(overrides));
    },
  };
}

let keys = 0;
export function aRegistration(overrides: Partial<RegisterInput> = {}): RegisterInput {
  return {
    email: "ada@example.com",
    password: "correct horse battery",
    displayName: "Ada Lovelace",
    locale: "en-GB",
    marketingOptIn: false,
    idempotencyKey: `register-key-${++keys}`,
    ...overrides,
  };
}

export function anonymous(tenant = "acme"): RequestContext {
  return { tenantId: parseTenantId(tenant), caller: undefined, correlationId: "corr-1", signal: new AbortController().signal };
}

export function signedIn(tenant: string, userId: string, roles: readonly Role[] = [Roles.customer]): RequestContext {
  return { ...anonymous(tenant), caller: { userId, roles } };
}

export function adminOf(tenant: string, userId = "admin-1"): RequestContext {
  return signedIn(tenant, userId, [Roles.tenantAdmin]);
}

export async function rejection(work: Promise<unknown>): Promise<DomainError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}
