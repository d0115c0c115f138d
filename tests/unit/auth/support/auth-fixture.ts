import { expect } from "vitest";
import type { AccessTokenIssuer, AccessTokenSubject } from "../../../../core/auth/access-token-issuer.ts";
import type { LoginDeps } from "../../../../core/auth/login.ts";
import { loginLimits } from "../../../../core/auth/login-limiter.ts";
import type { PasswordHasher } from "../../../../core/auth/password-hasher.ts";
import { sessionPolicy } from "../../../../core/auth/session-policy.ts";
import { fixedClock } from "../../../../core/kit/clock.ts";
import { DomainError } from "../../../../core/kit/domain-error.ts";
import { sequentialIds } from "../../../../core/kit/ids.ts";
import { type Caller, parseTenantId, type RequestContext } from "../../../../core/kit/request-context.ts";
import { MemoryCredentialRepository } from "../../../../adapters/memory/auth/memory-credential-repository.ts";
import { createMemoryLoginLimiter } from "../../../../adapters/memory/auth/memory-login-limiter.ts";
import { MemorySessionRepository } from "../../../../adapters/memory/auth/memory-session-repository.ts";
import { MemoryUserAccessLookup } from "../../../../adapters/memory/auth/memory-user-access-lookup.ts";
import { nodeCryptoOpaqueTokens } from "../../../../adapters/node-crypto/node-crypto-opaque-tokens.ts";

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export const acme = parseTenantId("acme");
export const globex = parseTenantId("globex");

export function context(tenant = acme, caller?: Caller): RequestContext {
  return { tenantId: tenant, caller, correlationId: "corr-1", signal: new AbortController().signal };
}

/** A hasher that costs nothing and counts its calls: `fake$<version>$<password>`. */
export function fakeHasher(version = "v1"): PasswordHasher & { version: string; verifications: string[]; hashes: number } {
  const prefix = () => `fake$${hasher.version}$`;
  const hasher = {
    version,
    verifications: [] as string[],
    hashes: 0,
    async hash(password: string) {
      hasher.hashes++;
      return `${prefix()}${password}`;
    },
    async verify(encoded: string, password: string) {
      hasher.verifications.push(encoded);
      return encoded.replace(/^fake\$[^$]+\$/, "") === password;
    },
    needsRehash: (encoded: string) => !encoded.startsWith(prefix()),
  };
  return hasher;
}

/** Access tokens that say what they were issued for, readable by tests. */
export function recordingIssuer(clock: { now(): Date }): AccessTokenIssuer & { issued: AccessTokenSubject[] } {
  const issued: AccessTokenSubject[] = [];
  return {
    issued,
    async issue(subject) {
      issued.push(subject);
      const issuedAt = clock.now();
      return {
        token: `at.${subject.tenantId}.${subject.userId}.${subject.sessionId}.${subject.roles.join("+")}`,
        tokenId: `jti-${issued.length}`,
        keyId: "kid-1",
        issuedAt,
        expiresAt: new Date(issuedAt.getTime() + 10 * MINUTE),
      };
    },
  };
}

export const limits = loginLimits({
  account: { maxAttempts: 3, windowMs: 15 * MINUTE },
  source: { maxAttempts: 5, windowMs: 15 * MINUTE },
});

/** Every port of the auth use cases on its memory adapter, at a fixed instant. */
export function authFixture() {
  const clock = fixedClock(new Date("2026-11-01T10:00:00.000Z"));
  const hasher = fakeHasher();
  const credentials = new MemoryCredentialRepository();
  const sessions = new MemorySessionRepository();
  const users = new MemoryUserAccessLookup();
  const issuer = recordingIssuer(clock);
  const deps = {
    credentials,
    hasher,
    sessions,
    users,
    issuer,
    tokens: nodeCryptoOpaqueTokens,
    limiter: createMemoryLoginLimiter(limits, clock),
    clock,
    newId: sequentialIds("session"),
    policy: sessionPolicy({ idleTimeoutMs: 7 * DAY, maxAgeMs: 30 * DAY }),
  } satisfies LoginDeps;
  /** A user of `tenant` with a password, as users would have registered them. */
  const addUser = async (options: {
    tenant?: typeof acme;
    userId: string;
    email: string;
    password: string;
    status?: "active" | "disabled";
    roles?: string[];
  }) => {
    const tenant = options.tenant ?? acme;
    const now = clock.now();
    await credentials.save({
      tenantId: tenant,
      userId: options.userId,
      email: options.email,
      passwordHash: await hasher.hash(options.password),
      createdAt: now,
      updatedAt: now,
    });
    users.put(tenant, {
      userId: options.userId,
      status: options.status ?? "active",
      roles: options.roles ?? ["customer"],
      emailVerified: true,
    });
  };
  return { deps, clock, hasher, credentials, sessions, users, issuer, addUser };
}

export const source = { address: "203.0.113.7", userAgent: "test-agent/1.0" };

export async function rejection(work: Promise<unknown>): Promise<DomainError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}
