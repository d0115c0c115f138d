import type { Clock } from "../kit/clock.ts";
import { isDomainError, unavailable } from "../kit/domain-error.ts";
import { type JsonWebKeySet, jwksOf } from "./jwks.ts";
import type { SigningKey } from "./signing-key.ts";
import type { SigningKeyGenerator } from "./signing-key-generator.ts";
import { type SigningKeyPolicy, verifyUntilAfterRotation } from "./signing-key-policy.ts";
import type { SigningKeyStore } from "./signing-key-store.ts";

export interface SigningKeyRing {
  readonly store: SigningKeyStore;
  readonly generator: SigningKeyGenerator;
  readonly clock: Clock;
  readonly policy: SigningKeyPolicy;
}

/** One change to the ring. */
export type KeyRingStep =
  | { readonly kind: "create"; readonly as: "current" | "next" }
  | { readonly kind: "rotate"; readonly to: string; readonly from: string | undefined; readonly previousVerifyUntil: Date }
  | { readonly kind: "retire"; readonly kid: string };

/**
 * What the ring needs now, decided from the published keys alone:
 * - a previous key whose tokens have all expired (past `verifyUntil`) is retired;
 * - no current key: the next one becomes current, or a first key is made current at once
 *   (nobody holds a token yet, so nothing needs to be published ahead);
 * - a current key close to `rotateAfterMs` gets a successor, published `publishAheadMs` ahead;
 * - once the current key is due and its successor has been published long enough, they swap,
 *   and the replaced key keeps verifying for the longest token TTL plus leeway.
 */
export function planKeyRing(published: readonly SigningKey[], now: Date, policy: SigningKeyPolicy): KeyRingStep[] {
  const steps: KeyRingStep[] = [];
  for (const key of published) {
    if (key.status === "previous" && key.verifyUntil && key.verifyUntil <= now) steps.push({ kind: "retire", kid: key.kid });
  }
  const current = published.find((key) => key.status === "current");
  const next = published.find((key) => key.status === "next");
  const previousVerifyUntil = verifyUntilAfterRotation(now, policy);
  if (!current) {
    steps.push(next ? { kind: "rotate", to: next.kid, from: undefined, previousVerifyUntil } : { kind: "create", as: "current" });
    return steps;
  }
  const age = now.getTime() - (current.activatedAt ?? current.createdAt).getTime();
  if (!next) {
    if (age >= policy.rotateAfterMs - policy.publishAheadMs) steps.push({ kind: "create", as: "next" });
  } else if (age >= policy.rotateAfterMs && now.getTime() - next.createdAt.getTime() >= policy.publishAheadMs) {
    steps.push({ kind: "rotate", to: next.kid, from: current.kid, previousVerifyUntil });
  }
  return steps;
}

/**
 * Brings the ring up to date: run at start-up (so that a first key exists) and then
 * periodically. Safe on several replicas at once: a step another replica took first fails
 * with CONFLICT in the store, and the ring is read and planned again.
 * Resolves to the steps this call applied.
 */
export async function maintainSigningKeys(ring: SigningKeyRing): Promise<KeyRingStep[]> {
  const applied: KeyRingStep[] = [];
  for (let pass = 0; pass < 4; pass++) {
    const now = ring.clock.now();
    const steps = planKeyRing(await ring.store.published(), now, ring.policy);
    if (steps.length === 0) break;
    try {
      for (const step of steps) {
        await apply(ring, step, now);
        applied.push(step);
      }
    } catch (error) {
      if (!isRace(error)) throw error;
    }
  }
  return applied;
}

/**
 * Rotates at once, whatever the schedule (a suspected leak, a drill): the successor (the
 * `next` key, or a new one) signs from now on, and the replaced key keeps verifying until
 * every token it signed has expired. Verifiers that never saw the successor fetch the JWKS
 * again on the first token with its kid. Resolves to the new current key.
 */
export async function rotateSigningKeyNow(ring: SigningKeyRing): Promise<SigningKey> {
  const now = ring.clock.now();
  const published = await ring.store.published();
  const current = published.find((key) => key.status === "current");
  const next =
    published.find((key) => key.status === "next") ??
    (await ring.store.add(await ring.generator.generate(), current ? "next" : "current", now));
  if (next.status === "current") return next;
  await ring.store.rotate({
    to: next.kid,
    from: current?.kid,
    at: now,
    previousVerifyUntil: verifyUntilAfterRotation(now, ring.policy),
  });
  return { ...next, status: "current", activatedAt: now };
}

/** The key that signs new tokens; UNAVAILABLE until maintenance has made one. */
export async function currentSigningKey(store: SigningKeyStore): Promise<SigningKey> {
  const key = await store.current();
  if (!key) throw unavailable("AUTH.NO_SIGNING_KEY", "no signing key yet: signing key maintenance has not run");
  return key;
}

/** The JWKS: what GetJwks answers and `GET /.well-known/jwks.json` serves. */
export async function publishedJwks(store: SigningKeyStore): Promise<JsonWebKeySet> {
  return jwksOf(await store.published());
}

async function apply(ring: SigningKeyRing, step: KeyRingStep, now: Date): Promise<void> {
  switch (step.kind) {
    case "create":
      await ring.store.add(await ring.generator.generate(), step.as, now);
      return;
    case "rotate":
      await ring.store.rotate({ to: step.to, from: step.from, at: now, previousVerifyUntil: step.previousVerifyUntil });
      return;
    case "retire":
      await ring.store.retire(step.kid, now);
      return;
  }
}

/** Another replica changed the ring between our read and our write. */
function isRace(error: unknown): boolean {
  return isDomainError(error) && (error.kind === "conflict" || error.kind === "already_exists");
}
