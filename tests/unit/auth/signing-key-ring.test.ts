import { describe, expect, it } from "vitest";
import { createMemorySigningKeyStore } from "../../../adapters/memory/auth/memory-signing-key-store.ts";
import { jwksOf } from "../../../core/auth/jwks.ts";
import type { SigningKeyGenerator } from "../../../core/auth/signing-key-generator.ts";
import { signingKeyPolicy } from "../../../core/auth/signing-key-policy.ts";
import {
  currentSigningKey,
  maintainSigningKeys,
  planKeyRing,
  publishedJwks,
  rotateSigningKeyNow,
  type SigningKeyRing,
} from "../../../core/auth/signing-key-ring.ts";
import { fixedClock } from "../../../core/kit/clock.ts";

const MINUTE = 60_000;
const DAY = 1_440 * MINUTE;
// Rotate every 30 days, publish a successor 15 min ahead, tokens live 10 min, 1 min leeway.
const policy = signingKeyPolicy({
  rotateAfterMs: 30 * DAY,
  publishAheadMs: 15 * MINUTE,
  maxTokenTtlMs: 10 * MINUTE,
  leewayMs: MINUTE,
});

function fakeGenerator(): SigningKeyGenerator {
  let n = 0;
  return {
    async generate() {
      n++;
      return {
        kid: `kid-${n}`,
        algorithm: "EdDSA",
        publicJwk: { kty: "OKP", crv: "Ed25519", x: `x-${n}` },
        privateKeyPkcs8: `private-${n}`,
      };
    },
  };
}

function ring(start = "2026-03-01T00:00:00.000Z") {
  const clock = fixedClock(new Date(start));
  const keys: SigningKeyRing = { store: createMemorySigningKeyStore(), generator: fakeGenerator(), clock, policy };
  const statuses = async () => (await keys.store.published()).map((k) => `${k.kid}:${k.status}`).sort();
  return { ...keys, clock, statuses };
}

describe("signing key ring", () => {
  it("when the ring is empty, then maintenance makes a first key current at once", async () => {
    const r = ring();

    const steps = await maintainSigningKeys(r);

    expect(steps).toEqual([{ kind: "create", as: "current" }]);
    expect((await currentSigningKey(r.store)).kid).toBe("kid-1");
  });

  it("when the current key is young, then maintenance changes nothing", async () => {
    const r = ring();
    await maintainSigningKeys(r);
    r.clock.advance(30 * DAY - 15 * MINUTE - 1);

    expect(await maintainSigningKeys(r)).toEqual([]);
    expect(await r.statuses()).toEqual(["kid-1:current"]);
  });

  it("when the current key nears its rotation age, then a successor is published but does not sign yet", async () => {
    const r = ring();
    await maintainSigningKeys(r);
    r.clock.advance(30 * DAY - 15 * MINUTE);

    expect(await maintainSigningKeys(r)).toEqual([{ kind: "create", as: "next" }]);
    expect((await currentSigningKey(r.store)).kid).toBe("kid-1");
    expect((await publishedJwks(r.store)).keys.map((k) => k.kid)).toEqual(["kid-1", "kid-2"]);
  });

  it("when the successor has been published long enough and the key is due, then they swap and the old key verifies for one token TTL more", async () => {
    const r = ring();
    await maintainSigningKeys(r);
    r.clock.advance(30 * DAY - 15 * MINUTE);
    await maintainSigningKeys(r);
    r.clock.advance(15 * MINUTE);
    const rotatedAt = r.clock.now();

    const steps = await maintainSigningKeys(r);

    expect(steps).toMatchObject([{ kind: "rotate", to: "kid-2", from: "kid-1" }]);
    expect((await currentSigningKey(r.store)).kid).toBe("kid-2");
    const previous = (await r.store.published()).find((k) => k.kid === "kid-1");
    expect(previous?.status).toBe("previous");
    expect(previous?.verifyUntil?.getTime()).toBe(rotatedAt.getTime() + 10 * MINUTE + MINUTE);
  });

  it("when a replaced key is past its verify-until time, then it is retired and leaves the JWKS", async () => {
    const r = ring();
    await rotateSigningKeyNow(r);
    await rotateSigningKeyNow(r);
    r.clock.advance(11 * MINUTE - 1);
    expect(await maintainSigningKeys(r)).toEqual([]);

    r.clock.advance(1);
    expect(await maintainSigningKeys(r)).toEqual([{ kind: "retire", kid: "kid-1" }]);
    expect((await publishedJwks(r.store)).keys.map((k) => k.kid)).toEqual(["kid-2"]);
  });

  it("when a year passes with maintenance every hour, then there is always one signing key and at most three published", async () => {
    const r = ring();
    const signers = new Set<string>();
    for (let hour = 0; hour < 365 * 24; hour++) {
      await maintainSigningKeys(r);
      const published = await r.store.published();
      expect(published.filter((k) => k.status === "current")).toHaveLength(1);
      expect(published.length).toBeLessThanOrEqual(3);
      signers.add((await currentSigningKey(r.store)).kid);
      r.clock.advance(60 * MINUTE);
    }
    expect(signers.size).toBe(13); // day 0, then every 30 days (plus the hour of rounding)
  });

  it("when keys are rotated at once, then the successor signs and the old key keeps verifying", async () => {
    const r = ring();
    await maintainSigningKeys(r);

    const rotated = await rotateSigningKeyNow(r);

    expect(rotated.kid).toBe("kid-2");
    expect((await currentSigningKey(r.store)).kid).toBe("kid-2");
    expect(await r.statuses()).toEqual(["kid-1:previous", "kid-2:current"]);
  });

  it("when a successor is already published, then an immediate rotation promotes it rather than making another", async () => {
    const r = ring();
    await maintainSigningKeys(r);
    r.clock.advance(30 * DAY - 15 * MINUTE);
    await maintainSigningKeys(r);

    expect((await rotateSigningKeyNow(r)).kid).toBe("kid-2");
    expect(await r.statuses()).toEqual(["kid-1:previous", "kid-2:current"]);
  });

  it("when two replicas run maintenance at once on an empty ring, then exactly one key becomes current", async () => {
    const r = ring();

    await Promise.all([maintainSigningKeys(r), maintainSigningKeys(r), maintainSigningKeys(r)]);

    expect((await r.store.published()).filter((k) => k.status === "current")).toHaveLength(1);
  });

  it("when no key exists yet, then asking for the signing key is UNAVAILABLE", async () => {
    await expect(currentSigningKey(createMemorySigningKeyStore())).rejects.toMatchObject({
      kind: "unavailable",
      code: "AUTH.NO_SIGNING_KEY",
    });
  });

  it("when the ring is planned, then the plan depends on the keys and the time only", () => {
    expect(planKeyRing([], new Date(0), policy)).toEqual([{ kind: "create", as: "current" }]);
  });
});

describe("signing key policy", () => {
  it("when a duration is negative or publishing ahead outlasts the rotation period, then it is refused", () => {
    expect(() => signingKeyPolicy({ maxTokenTtlMs: -1 })).toThrow(RangeError);
    expect(() => signingKeyPolicy({ maxTokenTtlMs: 0 })).toThrow(RangeError);
    expect(() => signingKeyPolicy({ maxTokenTtlMs: MINUTE, rotateAfterMs: MINUTE, publishAheadMs: MINUTE })).toThrow(RangeError);
    expect(signingKeyPolicy({ maxTokenTtlMs: MINUTE }).rotateAfterMs).toBe(30 * DAY);
  });
});

describe("JWKS", () => {
  it("when keys are published, then only public members appear, current first, and retired keys not at all", () => {
    const base = { algorithm: "EdDSA" as const, privateKeyPkcs8: "secret", activatedAt: undefined, deactivatedAt: undefined };
    const jwks = jwksOf([
      {
        ...base,
        kid: "n",
        status: "next",
        publicJwk: { kty: "OKP", crv: "Ed25519", x: "xn" },
        createdAt: new Date(3),
        verifyUntil: undefined,
        retiredAt: undefined,
      },
      {
        ...base,
        kid: "p",
        status: "previous",
        publicJwk: { kty: "OKP", crv: "Ed25519", x: "xp" },
        createdAt: new Date(1),
        verifyUntil: new Date(9),
        retiredAt: undefined,
      },
      {
        ...base,
        kid: "c",
        algorithm: "ES256",
        status: "current",
        publicJwk: { kty: "EC", crv: "P-256", x: "xc", y: "yc" },
        createdAt: new Date(2),
        verifyUntil: undefined,
        retiredAt: undefined,
      },
      {
        ...base,
        kid: "r",
        status: "retired",
        publicJwk: { kty: "OKP", crv: "Ed25519", x: "xr" },
        createdAt: new Date(0),
        verifyUntil: new Date(1),
        retiredAt: new Date(1),
      },
    ]);

    expect(jwks).toEqual({
      keys: [
        { kty: "EC", crv: "P-256", x: "xc", y: "yc", kid: "c", alg: "ES256", use: "sig" },
        { kty: "OKP", crv: "Ed25519", x: "xn", kid: "n", alg: "EdDSA", use: "sig" },
        { kty: "OKP", crv: "Ed25519", x: "xp", kid: "p", alg: "EdDSA", use: "sig" },
      ],
    });
    expect(JSON.stringify(jwks)).not.toContain("secret");
  });
});
