import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LoginAttemptKeys, LoginLimiter, LoginLimits } from "../../../core/auth/login-limiter.ts";
import { parseTenantId } from "../../../core/kit/request-context.ts";

export interface LoginLimiterHarness {
  readonly limiter: LoginLimiter;
  dispose(): Promise<void>;
}

/** Small numbers, short windows: the suite runs on real time (Redis expires keys itself). */
export const contractLimits: LoginLimits = {
  account: { maxAttempts: 3, windowMs: 600 },
  source: { maxAttempts: 5, windowMs: 60_000 },
};

const acme = parseTenantId("acme");
const globex = parseTenantId("globex");
const ann: LoginAttemptKeys = { tenantId: acme, email: "ann@example.com", source: "203.0.113.7" };
/** `null`: a login whose source is unknown. */
const keysFor = (email: string, source: string | null = "203.0.113.7", tenantId = acme): LoginAttemptKeys => ({
  tenantId,
  email,
  source: source ?? undefined,
});

/** The behaviour every LoginLimiter adapter must show, whatever counts. */
export function loginLimiterContract(name: string, open: (limits: LoginLimits) => Promise<LoginLimiterHarness>): void {
  describe(`LoginLimiter contract: ${name}`, () => {
    let harness: LoginLimiterHarness;
    let limiter: LoginLimiter;
    beforeEach(async () => {
      harness = await open(contractLimits);
      limiter = harness.limiter;
    });
    afterEach(async () => {
      await harness.dispose();
    });

    it("when an account has used its attempts, then the next is refused with the time left in its window", async () => {
      for (let i = 0; i < 3; i++) expect(await limiter.attempt(ann)).toEqual({ allowed: true });
      const refused = await limiter.attempt(ann);
      expect(refused).toMatchObject({ allowed: false, limit: "account" });
      const retryAfterMs = (refused as { retryAfterMs: number }).retryAfterMs;
      expect(retryAfterMs).toBeGreaterThan(0);
      expect(retryAfterMs).toBeLessThanOrEqual(600);
    });

    it("when the window has passed, then the account may try again", async () => {
      for (let i = 0; i < 3; i++) await limiter.attempt(ann);
      expect((await limiter.attempt(ann)).allowed).toBe(false);
      await sleep(700);
      expect((await limiter.attempt(ann)).allowed).toBe(true);
    });

    it("when a refused attempt is made, then it does not count against the source", async () => {
      for (let i = 0; i < 3; i++) await limiter.attempt(ann);
      for (let i = 0; i < 5; i++) expect((await limiter.attempt(ann)).allowed).toBe(false);
      expect((await limiter.attempt(keysFor("bob@example.com"))).allowed).toBe(true);
      expect((await limiter.attempt(keysFor("carol@example.com"))).allowed).toBe(true);
    });

    it("when a login succeeds, then the account's count is cleared and the source gets its attempt back", async () => {
      await limiter.attempt(ann);
      await limiter.attempt(ann);
      await limiter.attempt(ann);
      await limiter.succeeded(ann);
      for (let i = 0; i < 2; i++) expect((await limiter.attempt(keysFor(`other${i}@example.com`))).allowed).toBe(true);
      // 3 counted for ann, 1 given back, 2 others: 4 of the source's 5.
      expect((await limiter.attempt(keysFor("last@example.com"))).allowed).toBe(true);
      expect(await limiter.attempt(keysFor("one-too-many@example.com"))).toMatchObject({ allowed: false, limit: "source" });
    });

    it("when one source tries many accounts, then the source limit refuses it, and other sources and no-source logins go on", async () => {
      for (let i = 0; i < 5; i++) expect((await limiter.attempt(keysFor(`victim${i}@example.com`))).allowed).toBe(true);
      const refused = await limiter.attempt(keysFor("victim9@example.com"));
      expect(refused).toMatchObject({ allowed: false, limit: "source" });
      expect((refused as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(600);
      expect((await limiter.attempt(keysFor("victim9@example.com", "198.51.100.1"))).allowed).toBe(true);
      expect((await limiter.attempt(keysFor("victim8@example.com", null))).allowed).toBe(true);
    });

    it("when both limits are used up, then the verdict names the one that lasts longer", async () => {
      for (let i = 0; i < 3; i++) await limiter.attempt(ann);
      for (let i = 0; i < 2; i++) await limiter.attempt(keysFor(`other${i}@example.com`));
      expect(await limiter.attempt(ann)).toMatchObject({ allowed: false, limit: "source" });
    });

    it("when the same email is tried in another tenant, then it has its own count", async () => {
      for (let i = 0; i < 3; i++) await limiter.attempt(ann);
      expect((await limiter.attempt(keysFor("ann@example.com", "198.51.100.1", globex))).allowed).toBe(true);
    });

    it("when many attempts arrive at once, then exactly the allowed number get through", async () => {
      const verdicts = await Promise.all(Array.from({ length: 20 }, () => limiter.attempt(keysFor("ann@example.com", null))));
      expect(verdicts.filter((v) => v.allowed)).toHaveLength(3);
    });
  });
}
