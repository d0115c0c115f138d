import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { SigningKeyStore } from "../../../core/auth/signing-key-store.ts";
import { type DomainError, isDomainError } from "../../../core/kit/domain-error.ts";
import { at, testSigningKey } from "./support/test-signing-keys.ts";

export interface SigningKeyStoreFixture {
  readonly store: SigningKeyStore;
  reset(): Promise<void>;
  dispose(): Promise<void>;
}

const T0 = at("2026-03-01T10:00:00.123Z");
const T1 = at("2026-03-02T10:00:00.456Z");
const T2 = at("2026-03-03T10:00:00.789Z");
const UNTIL = at("2026-03-03T10:11:00.789Z");

async function failure(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isDomainError(error)) throw new Error(`expected a DomainError, got ${String(error)}`);
  return error;
}

/** The SigningKeyStore port, run against every store. */
export function describeSigningKeyStoreContract(adapter: string, open: () => Promise<SigningKeyStoreFixture>): void {
  describe(`signing key store contract: ${adapter}`, () => {
    let fixture: SigningKeyStoreFixture;
    let store: SigningKeyStore;
    beforeAll(async () => {
      fixture = await open();
    });
    beforeEach(async () => {
      await fixture.reset();
      store = fixture.store;
    });
    afterAll(async () => {
      await fixture?.dispose();
    });

    it("when the ring is empty, then no key is current and none is published", async () => {
      expect(await store.current()).toBeUndefined();
      expect(await store.published()).toEqual([]);
    });

    it("when a key is added as current, then it reads back whole, private key included", async () => {
      const key = testSigningKey();
      const added = await store.add(key, "current", T0);

      const current = await store.current();
      expect(current).toEqual(added);
      expect(current).toMatchObject({ ...key, status: "current", createdAt: T0, activatedAt: T0 });
      expect(current?.deactivatedAt).toBeUndefined();
      expect(current?.verifyUntil).toBeUndefined();
      expect(await store.published()).toEqual([added]);
    });

    it("when a second key is added as current, then CONFLICT and the first stays current", async () => {
      const first = testSigningKey();
      await store.add(first, "current", T0);

      const error = await failure(store.add(testSigningKey(), "current", T1));

      expect(error.kind).toBe("conflict");
      expect((await store.current())?.kid).toBe(first.kid);
      expect(await store.published()).toHaveLength(1);
    });

    it("when a kid is added twice, then ALREADY_EXISTS", async () => {
      const key = testSigningKey();
      await store.add(key, "current", T0);

      expect((await failure(store.add(key, "next", T1))).kind).toBe("already_exists");
    });

    it("when a next key is added, then it is published but does not sign; a second next is CONFLICT", async () => {
      const current = testSigningKey();
      const next = testSigningKey();
      await store.add(current, "current", T0);
      await store.add(next, "next", T1);

      expect((await store.current())?.kid).toBe(current.kid);
      expect((await store.published()).map((k) => [k.kid, k.status])).toEqual([
        [next.kid, "next"],
        [current.kid, "current"],
      ]);
      expect((await failure(store.add(testSigningKey(), "next", T2))).kind).toBe("conflict");
    });

    it("when the next key is rotated in, then it signs and the old key verifies until the given time", async () => {
      const old = testSigningKey();
      const next = testSigningKey();
      await store.add(old, "current", T0);
      await store.add(next, "next", T1);

      await store.rotate({ to: next.kid, from: old.kid, at: T2, previousVerifyUntil: UNTIL });

      expect(await store.current()).toMatchObject({ kid: next.kid, status: "current", activatedAt: T2 });
      const previous = (await store.published()).find((k) => k.kid === old.kid);
      expect(previous).toMatchObject({ status: "previous", deactivatedAt: T2, verifyUntil: UNTIL });
      expect(previous?.privateKeyPkcs8).toBe(old.privateKeyPkcs8);
    });

    it("when the ring has no current key, then a next key can be rotated in from none", async () => {
      const next = testSigningKey();
      await store.add(next, "next", T0);

      await store.rotate({ to: next.kid, from: undefined, at: T1, previousVerifyUntil: UNTIL });

      expect((await store.current())?.kid).toBe(next.kid);
    });

    it("when a rotation starts from a key that is no longer current, then CONFLICT and nothing changes", async () => {
      const a = testSigningKey();
      const b = testSigningKey();
      const c = testSigningKey();
      await store.add(a, "current", T0);
      await store.add(b, "next", T0);
      await store.rotate({ to: b.kid, from: a.kid, at: T1, previousVerifyUntil: UNTIL });
      await store.add(c, "next", T1);
      const before = await store.published();

      const stale = await failure(store.rotate({ to: c.kid, from: a.kid, at: T2, previousVerifyUntil: UNTIL }));
      const fromNone = await failure(store.rotate({ to: c.kid, from: undefined, at: T2, previousVerifyUntil: UNTIL }));

      expect([stale.kind, fromNone.kind]).toEqual(["conflict", "conflict"]);
      expect(await store.published()).toEqual(before);
    });

    it("when a rotation names a key that is not next, then CONFLICT and nothing changes", async () => {
      const a = testSigningKey();
      await store.add(a, "current", T0);
      const before = await store.published();

      const unknown = await failure(store.rotate({ to: "no-such-kid", from: a.kid, at: T1, previousVerifyUntil: UNTIL }));
      const itself = await failure(store.rotate({ to: a.kid, from: a.kid, at: T1, previousVerifyUntil: UNTIL }));

      expect([unknown.kind, itself.kind]).toEqual(["conflict", "conflict"]);
      expect(await store.published()).toEqual(before);
    });

    it("when two replicas rotate to their own next key at once, then exactly one rotation wins", async () => {
      const a = testSigningKey();
      await store.add(a, "current", T0);
      const candidates = [testSigningKey(), testSigningKey()];

      const added = await Promise.allSettled(candidates.map((key) => store.add(key, "next", T1)));
      const winner = candidates[added.findIndex((r) => r.status === "fulfilled")]!;
      const rotations = await Promise.allSettled(
        [0, 1].map(() => store.rotate({ to: winner.kid, from: a.kid, at: T2, previousVerifyUntil: UNTIL })),
      );

      expect(added.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      expect(rotations.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      expect((await store.current())?.kid).toBe(winner.kid);
      expect((await store.published()).map((k) => k.status).sort()).toEqual(["current", "previous"]);
    });

    it("when a key is retired, then it is no longer published; retiring again or an unknown kid is a no-op", async () => {
      const a = testSigningKey();
      const b = testSigningKey();
      await store.add(a, "current", T0);
      await store.add(b, "next", T1);
      await store.rotate({ to: b.kid, from: a.kid, at: T1, previousVerifyUntil: UNTIL });

      await store.retire(a.kid, T2);
      await store.retire(a.kid, UNTIL);
      await store.retire("no-such-kid", T2);

      expect((await store.published()).map((k) => k.kid)).toEqual([b.kid]);
      expect((await store.current())?.kid).toBe(b.kid);
    });

    it("when the current key is retired, then the ring has no current key and a new one can be added", async () => {
      const a = testSigningKey();
      await store.add(a, "current", T0);

      await store.retire(a.kid, T1);
      const b = await store.add(testSigningKey(), "current", T2);

      expect((await store.current())?.kid).toBe(b.kid);
      expect((await store.published()).map((k) => k.kid)).toEqual([b.kid]);
    });
  });
}
