import { describe, expect, it } from "vitest";
import { createJoseAccessTokenVerifier } from "../../../adapters/jose/jose-access-token-verifier.ts";
import { localJwks } from "../../../adapters/jose/jose-local-jwks.ts";
import type { JwtKeySource } from "../../../adapters/jose/jwt-key-source.ts";
import type { JsonWebKeySet } from "../../../core/auth/jwks.ts";
import { publishedJwks, rotateSigningKeyNow } from "../../../core/auth/signing-key-ring.ts";
import { fixedClock } from "../../../core/kit/clock.ts";
import { isDomainError } from "../../../core/kit/domain-error.ts";
import { parseTenantId } from "../../../core/kit/request-context.ts";
import { AUDIENCE, ISSUER, tokenKit, validClaims } from "./support/token-kit.ts";

const subject = { tenantId: parseTenantId("acme"), userId: "user-1", roles: ["customer"], sessionId: "session-1" };

async function refusal(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isDomainError(error)) throw new Error(`expected a DomainError, got ${String(error)}`);
  return { kind: error.kind, message: error.message, code: error.code };
}

/** Counts how often the key set is loaded and how often a key is looked up. */
function counted(load: () => Promise<JsonWebKeySet>) {
  const counts = { loads: 0, lookups: 0 };
  const countingLoad = () => {
    counts.loads++;
    return load();
  };
  const wrap =
    (source: JwtKeySource): JwtKeySource =>
    (header, token) => {
      counts.lookups++;
      return source(header, token);
    };
  return { counts, countingLoad, wrap };
}

describe("access token verifier", () => {
  it("when a token is issued, then it verifies to its tenant, user, roles, session, jti and expiry", async () => {
    for (const algorithm of ["EdDSA", "ES256"] as const) {
      const kit = await tokenKit({ algorithm });
      const verifier = createJoseAccessTokenVerifier({
        keys: localJwks(() => publishedJwks(kit.ring.store)),
        issuer: ISSUER,
        audience: AUDIENCE,
      });
      const issued = await kit.issuer.issue(subject);

      const verified = await verifier.verify(issued.token);

      expect(verified).toEqual({
        tenantId: "acme",
        caller: { userId: "user-1", roles: ["customer"], sessionId: "session-1" },
        tokenId: issued.tokenId,
        expiresAt: issued.expiresAt,
      });
      expect(issued.expiresAt.getTime() - issued.issuedAt.getTime()).toBe(600_000);
    }
  });

  it("when the algorithm is not on the allow-list, then a well-signed token is refused", async () => {
    const kit = await tokenKit({ algorithm: "ES256" });
    const verifier = createJoseAccessTokenVerifier({
      keys: localJwks(() => publishedJwks(kit.ring.store)),
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ["EdDSA"],
    });

    expect(await refusal(verifier.verify((await kit.issuer.issue(subject)).token))).toMatchObject({ kind: "unauthenticated" });
    expect(() =>
      createJoseAccessTokenVerifier({
        keys: localJwks(async () => ({ keys: [] })),
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: ["HS256" as "EdDSA"],
      }),
    ).toThrow(RangeError);
  });

  it("when a token expired less than the clock tolerance ago, then it passes; after that, 'token expired'", async () => {
    const clock = fixedClock(new Date());
    const kit = await tokenKit({ clock });
    const verifier = createJoseAccessTokenVerifier({
      keys: localJwks(() => publishedJwks(kit.ring.store), { clock }),
      issuer: ISSUER,
      audience: AUDIENCE,
      clockToleranceSeconds: 10,
      cache: false,
      clock,
    });
    const { token } = await kit.issuer.issue(subject);

    clock.advance(600_000 + 9_000);
    await expect(verifier.verify(token)).resolves.toMatchObject({ tenantId: "acme" });
    clock.advance(2_000);
    expect(await refusal(verifier.verify(token))).toEqual({
      kind: "unauthenticated",
      message: "token expired",
      code: "AUTH.TOKEN_EXPIRED",
    });
  });

  it("when a verified token is sent again, then no key is looked up; once it expires, the cache does not keep it alive", async () => {
    const clock = fixedClock(new Date());
    const kit = await tokenKit({ clock });
    const { counts, countingLoad, wrap } = counted(() => publishedJwks(kit.ring.store));
    const verifier = createJoseAccessTokenVerifier({
      keys: wrap(localJwks(countingLoad, { clock, refreshAfterMs: 3_600_000 })),
      issuer: ISSUER,
      audience: AUDIENCE,
      cache: { maxEntries: 100, maxAgeMs: 3_600_000 },
      clock,
    });
    const { token } = await kit.issuer.issue(subject);

    await verifier.verify(token);
    await verifier.verify(token);
    await verifier.verify(token);
    expect(counts.lookups).toBe(1);

    clock.advance(600_000 + 10_000);
    expect(await refusal(verifier.verify(token))).toMatchObject({ message: "token expired" });
  });

  it("when a token names a kid the local set does not have, then the set is loaded again, at most once per cooldown", async () => {
    const clock = fixedClock(new Date());
    const kit = await tokenKit({ clock });
    const { counts, countingLoad } = counted(() => publishedJwks(kit.ring.store));
    const keys = localJwks(countingLoad, { clock, refreshAfterMs: 3_600_000, cooldownMs: 5_000 });
    const verifier = createJoseAccessTokenVerifier({ keys, issuer: ISSUER, audience: AUDIENCE, cache: false, clock });
    await verifier.verify((await kit.issuer.issue(subject)).token);
    expect(counts.loads).toBe(1);

    clock.advance(5_000);
    await rotateSigningKeyNow(kit.ring);
    await verifier.verify((await kit.issuer.issue(subject)).token);
    expect(counts.loads).toBe(2);

    const forged = await kit.signWithRingKey(validClaims(), { kid: "unknown-kid" });
    for (let i = 0; i < 5; i++) await refusal(verifier.verify(forged));
    expect(counts.loads).toBe(2);
  });

  it("when the keys cannot be loaded, then UNAVAILABLE, not UNAUTHENTICATED", async () => {
    const kit = await tokenKit();
    const verifier = createJoseAccessTokenVerifier({
      keys: localJwks(() => Promise.reject(new Error("database down"))),
      issuer: ISSUER,
      audience: AUDIENCE,
    });

    expect(await refusal(verifier.verify((await kit.issuer.issue(subject)).token))).toMatchObject({
      kind: "unavailable",
      code: "AUTH.KEYS_UNAVAILABLE",
    });
  });

  it("when a refresh of the local set fails, then the keys in hand keep verifying", async () => {
    const clock = fixedClock(new Date());
    const kit = await tokenKit({ clock });
    let down = false;
    const failures: unknown[] = [];
    const keys = localJwks(() => (down ? Promise.reject(new Error("down")) : publishedJwks(kit.ring.store)), {
      clock,
      refreshAfterMs: 1_000,
      onRefreshError: (error) => failures.push(error),
    });
    const verifier = createJoseAccessTokenVerifier({ keys, issuer: ISSUER, audience: AUDIENCE, cache: false, clock });
    const { token } = await kit.issuer.issue(subject);
    await verifier.verify(token);

    down = true;
    clock.advance(2_000);

    await expect(verifier.verify(token)).resolves.toMatchObject({ tenantId: "acme" });
    expect(failures).toHaveLength(1);
  });

  it("when a token lives longer than the maximum lifetime, or is absurdly long, then it is refused", async () => {
    const kit = await tokenKit();
    const verifier = createJoseAccessTokenVerifier({
      keys: localJwks(() => publishedJwks(kit.ring.store)),
      issuer: ISSUER,
      audience: AUDIENCE,
      maxTokenLifetimeSeconds: 900,
    });
    const now = Math.floor(Date.now() / 1_000);

    expect(await refusal(verifier.verify(await kit.signWithRingKey(validClaims({ exp: now + 86_400 }))))).toMatchObject({
      message: "invalid token",
    });
    expect(await refusal(verifier.verify(await kit.signWithRingKey(validClaims({ iat: now - 3_600 }))))).toMatchObject({
      kind: "unauthenticated",
    });
    expect(await refusal(verifier.verify("a".repeat(5_000)))).toMatchObject({ message: "invalid token" });
    expect(await refusal(verifier.verify(""))).toMatchObject({ message: "invalid token" });
  });
});
