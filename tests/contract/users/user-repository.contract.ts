import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { IntegrationEvent } from "../../../core/kit/integration-event.ts";
import { DomainError } from "../../../core/kit/domain-error.ts";
import { parseTenantId, type RequestContext, type TenantId } from "../../../core/kit/request-context.ts";
import { Roles } from "../../../core/kit/roles.ts";
import { parseEmail } from "../../../core/users/email-address.ts";
import type { PostalAddress } from "../../../core/users/postal-address.ts";
import { User } from "../../../core/users/user.ts";
import type { UserRepository } from "../../../core/users/user-repository.ts";
import { domainFailure } from "../../support/domain-failure.ts";

export interface UserRepositoryHarness {
  readonly repository: UserRepository;
  /** The integration events stored with the users, oldest first. */
  recordedEvents(): Promise<IntegrationEvent[]>;
  dispose(): Promise<void>;
}

const acme = parseTenantId("acme");
const globex = parseTenantId("globex");
const ctxOf = (tenantId: TenantId): RequestContext => ({
  tenantId,
  caller: undefined,
  correlationId: "corr-users",
  signal: new AbortController().signal,
});
const at = new Date("2026-11-01T10:00:00.000Z");
const later = (ms: number) => new Date(at.getTime() + ms);
const DAY = 24 * 60 * 60 * 1_000;

let hashes = 0;
/** A fake SHA-256 (64 hex chars), unique per call. */
const nextHash = () => (++hashes).toString(16).padStart(64, "0");

function newUser(tenantId: TenantId, id: string, email: string, options: { displayName?: string; createdAt?: Date } = {}) {
  const hash = nextHash();
  const user = User.register(
    {
      tenantId,
      id,
      email: parseEmail(email),
      displayName: options.displayName ?? `User ${id}`,
      locale: "en",
      marketingOptIn: false,
    },
    { raw: `raw-${hash}`, hash, expiresAt: later(DAY) },
    options.createdAt ?? at,
  );
  return { user, verificationHash: hash };
}

const postal: PostalAddress = {
  recipientName: "Ada",
  addressLines: ["1 Main St", "Flat 2"],
  locality: "Springfield",
  administrativeArea: "IL",
  postalCode: "62701",
  countryCode: "US",
  phoneNumber: "+14155550100",
};

/** The behaviour every UserRepository adapter must show, whatever stores it. */
export function userRepositoryContract(name: string, open: () => Promise<UserRepositoryHarness>): void {
  describe(`UserRepository contract: ${name}`, () => {
    let harness: UserRepositoryHarness;
    let repo: UserRepository;
    beforeEach(async () => {
      harness = await open();
      repo = harness.repository;
    });
    afterEach(async () => {
      await harness.dispose();
    });

    it("when a user is added, then it is found by id and by email in its tenant only, with the same state", async () => {
      const { user } = newUser(acme, "u-1", "Ada@Example.com");
      await repo.add(user, ctxOf(acme));
      expect((await repo.find(acme, "u-1"))?.snapshot()).toEqual(user.snapshot());
      expect((await repo.findByEmail(acme, "ada@example.com"))?.id).toBe("u-1");
      expect(await repo.find(globex, "u-1")).toBeUndefined();
      expect(await repo.findByEmail(globex, "ada@example.com")).toBeUndefined();
    });

    it("when a user is added, then its events are stored with it, keyed by user id under its tenant", async () => {
      await repo.add(newUser(acme, "u-1", "ada@example.com").user, ctxOf(acme));
      const events = await harness.recordedEvents();
      expect(events.map((e) => e.type)).toEqual(["shop.events.v1.UserRegistered", "shop.events.v1.EmailVerificationRequested"]);
      expect(events.every((e) => e.topic === "user-events" && e.key === "u-1" && e.tenantId === "acme")).toBe(true);
      expect(events[0]!.correlationId).toBe("corr-users");
    });

    it("when a user is added, then its token is found by hash and purpose in its tenant only", async () => {
      const { user, verificationHash } = newUser(acme, "u-1", "ada@example.com");
      await repo.add(user, ctxOf(acme));
      expect(await repo.findToken(acme, "email_verification", verificationHash)).toEqual({
        hash: verificationHash,
        userId: "u-1",
        purpose: "email_verification",
        createdAt: at,
        expiresAt: later(DAY),
        spentAt: undefined,
      });
      expect(await repo.findToken(acme, "password_reset", verificationHash)).toBeUndefined();
      expect(await repo.findToken(globex, "email_verification", verificationHash)).toBeUndefined();
    });

    it("when an email is taken in the tenant, then ALREADY_EXISTS and nothing is stored; another tenant may have it", async () => {
      await repo.add(newUser(acme, "u-1", "ada@example.com").user, ctxOf(acme));
      const error = await domainFailure(repo.add(newUser(acme, "u-2", "ADA@example.com").user, ctxOf(acme)));
      expect(error).toMatchObject({ kind: "already_exists", code: "USER.EMAIL_TAKEN" });
      expect(await repo.find(acme, "u-2")).toBeUndefined();
      await repo.add(newUser(globex, "u-3", "ada@example.com").user, ctxOf(globex));
      expect((await harness.recordedEvents()).map((e) => e.key)).toEqual(["u-1", "u-1", "u-3", "u-3"]);
    });

    it("when many users register at once in one tenant, then each distinct email is stored and of one email exactly one wins", async () => {
      const answerFor = (id: string) => ({
        scope: "register",
        keyHash: nextHash(),
        fingerprint: nextHash(),
        response: `{"id":"${id}"}`,
        createdAt: at,
      });
      const distinct = Array.from({ length: 16 }, (_, i) => `u-${i}`);
      const twins = Array.from({ length: 4 }, (_, i) => `twin-${i}`);
      const calls = [
        ...distinct.map((id) => ({ id, email: `${id}@example.com` })),
        ...twins.map((id) => ({ id, email: "same@example.com" })),
      ];
      const outcomes = await Promise.all(
        calls.map(({ id, email }) =>
          repo.add(newUser(acme, id, email).user, ctxOf(acme), { idempotency: answerFor(id) }).then(
            () => "stored",
            (error: unknown) => (error instanceof DomainError ? `${error.kind}:${error.code}` : `failed: ${String(error)}`),
          ),
        ),
      );
      const outcomeOf = (id: string) => outcomes[calls.findIndex((c) => c.id === id)];
      expect(distinct.map(outcomeOf)).toEqual(distinct.map(() => "stored"));
      expect(twins.map(outcomeOf).sort()).toEqual([
        "already_exists:USER.EMAIL_TAKEN",
        "already_exists:USER.EMAIL_TAKEN",
        "already_exists:USER.EMAIL_TAKEN",
        "stored",
      ]);
      for (const id of distinct) expect((await repo.find(acme, id))?.id).toBe(id);
      const winner = twins.find((id) => outcomeOf(id) === "stored")!;
      expect((await repo.findByEmail(acme, "same@example.com"))?.id).toBe(winner);
      const keys = (await harness.recordedEvents()).map((e) => e.key);
      expect(new Set(keys)).toEqual(new Set([...distinct, winner]));
      expect(keys).toHaveLength(2 * (distinct.length + 1));
    });

    it("when an answer is stored with a write, then it is found again; the same key again is ALREADY_EXISTS and stores nothing", async () => {
      const answer = { scope: "register", keyHash: nextHash(), fingerprint: nextHash(), response: '{"id":"u-1"}', createdAt: at };
      await repo.add(newUser(acme, "u-1", "ada@example.com").user, ctxOf(acme), { idempotency: answer });
      expect(await repo.findIdempotencyRecord(acme, "register", answer.keyHash)).toEqual(answer);
      expect(await repo.findIdempotencyRecord(globex, "register", answer.keyHash)).toBeUndefined();

      const error = await domainFailure(
        repo.add(newUser(acme, "u-2", "bob@example.com").user, ctxOf(acme), { idempotency: answer }),
      );
      expect(error).toMatchObject({ kind: "already_exists", code: "USER.IDEMPOTENCY_KEY_TAKEN" });
      expect(await repo.find(acme, "u-2")).toBeUndefined();
      expect(await harness.recordedEvents()).toHaveLength(2);
    });

    it("when addresses change, then they are stored with the user and removed ones are gone", async () => {
      await repo.add(newUser(acme, "u-1", "ada@example.com").user, ctxOf(acme));
      const user = (await repo.find(acme, "u-1"))!;
      user.addAddress({ id: "a-1", label: "Home", postalAddress: postal, setAsDefault: false }, later(1_000));
      user.addAddress(
        { id: "a-2", label: "Office", postalAddress: { ...postal, addressLines: ["2 Side St"] }, setAsDefault: true },
        later(2_000),
      );
      await repo.update(user, ctxOf(acme));
      const stored = (await repo.find(acme, "u-1"))!;
      expect(stored.snapshot()).toEqual(user.snapshot());
      expect(stored.snapshot().addresses.map((a) => [a.id, a.isDefault])).toEqual([
        ["a-1", false],
        ["a-2", true],
      ]);

      stored.removeAddress("a-2", later(3_000));
      await repo.update(stored, ctxOf(acme));
      expect((await repo.find(acme, "u-1"))!.snapshot().addresses.map((a) => [a.id, a.isDefault])).toEqual([["a-1", true]]);
    });

    it("when two copies are changed, then the second save is a conflict and stores nothing", async () => {
      await repo.add(newUser(acme, "u-1", "ada@example.com").user, ctxOf(acme));
      const first = (await repo.find(acme, "u-1"))!;
      const second = (await repo.find(acme, "u-1"))!;
      first.updateProfile({ displayName: "First" }, later(1_000));
      await repo.update(first, ctxOf(acme));
      second.updateProfile({ displayName: "Second" }, later(2_000));
      second.addAddress({ id: "a-1", label: "", postalAddress: postal, setAsDefault: false }, later(2_000));
      const error = await domainFailure(repo.update(second, ctxOf(acme)));
      expect(error).toMatchObject({ kind: "conflict", code: "USER.CONCURRENT_UPDATE" });
      const stored = (await repo.find(acme, "u-1"))!.snapshot();
      expect(stored).toMatchObject({ displayName: "First", version: 2, addresses: [] });
      expect(await harness.recordedEvents()).toHaveLength(3);
    });

    it("when a new token of a purpose is issued, then the older one is spent; spending one spends all of that purpose only", async () => {
      const { user, verificationHash } = newUser(acme, "u-1", "ada@example.com");
      await repo.add(user, ctxOf(acme));
      const resetHash = nextHash();
      const loaded = (await repo.find(acme, "u-1"))!;
      loaded.requestPasswordReset({ raw: "r", hash: resetHash, expiresAt: later(DAY) }, "forgotten_password", later(1_000), 0);
      const newVerification = nextHash();
      loaded.requestEmailVerification({ raw: "v", hash: newVerification, expiresAt: later(DAY) }, later(1_000), 0);
      await repo.update(loaded, ctxOf(acme));
      expect((await repo.findToken(acme, "email_verification", verificationHash))?.spentAt).toEqual(later(1_000));
      expect((await repo.findToken(acme, "email_verification", newVerification))?.spentAt).toBeUndefined();

      const again = (await repo.find(acme, "u-1"))!;
      again.verifyEmail((await repo.findToken(acme, "email_verification", newVerification))!, later(2_000));
      await repo.update(again, ctxOf(acme));
      expect((await repo.findToken(acme, "email_verification", newVerification))?.spentAt).toEqual(later(2_000));
      expect((await repo.findToken(acme, "password_reset", resetHash))?.spentAt).toBeUndefined();
      expect((await repo.find(acme, "u-1"))!.snapshot().emailVerified).toBe(true);
    });

    it("when listing page by page, then newest first, each once, filtered by status and role, in the tenant only", async () => {
      for (const [i, id] of ["u-a", "u-b", "u-c", "u-d", "u-e"].entries()) {
        await repo.add(newUser(acme, id, `${id}@example.com`, { createdAt: later(i < 2 ? 0 : i * 1_000) }).user, ctxOf(acme));
      }
      await repo.add(newUser(globex, "u-x", "x@example.com").user, ctxOf(globex));
      const d = (await repo.find(acme, "u-d"))!;
      d.disable("spam", later(10_000));
      await repo.update(d, ctxOf(acme));
      const c = (await repo.find(acme, "u-c"))!;
      c.setRoles([Roles.tenantAdmin], later(10_000));
      await repo.update(c, ctxOf(acme));

      const seen: string[] = [];
      let pageToken: string | undefined;
      do {
        const page = await repo.list(acme, { pageSize: 2, pageToken });
        expect(page.users.length).toBeLessThanOrEqual(2);
        seen.push(...page.users.map((u) => u.id));
        pageToken = page.nextPageToken;
      } while (pageToken);
      expect(seen).toEqual(["u-e", "u-d", "u-c", "u-b", "u-a"]);

      expect((await repo.list(acme, { pageSize: 10, status: "disabled" })).users.map((u) => u.id)).toEqual(["u-d"]);
      expect((await repo.list(acme, { pageSize: 10, role: "tenant_admin" })).users.map((u) => u.id)).toEqual(["u-c"]);
      const customers = await repo.list(acme, { pageSize: 10, role: "customer", status: "active" });
      expect(customers.users.map((u) => u.id)).toEqual(["u-e", "u-b", "u-a"]);
      expect(customers.nextPageToken).toBeUndefined();
      expect(await repo.countActiveWithRole(acme, Roles.customer)).toBe(3);
      expect(await repo.countActiveWithRole(acme, Roles.tenantAdmin)).toBe(1);
      expect(await repo.countActiveWithRole(globex, Roles.tenantAdmin)).toBe(0);
    });

    it("when searching, then email or name prefixes match literally and without accents, by email, page by page", async () => {
      const people = [
        ["u-1", "zoe@example.com", "zoe"],
        ["u-2", "quentin@example.com", "zoë quinn"],
        ["u-3", "zorro@example.com", "Don Diego"],
        ["u-4", "z_x@example.com", "Underscore"],
        ["u-5", "zaxby@example.com", "Other"],
      ] as const;
      for (const [id, email, displayName] of people) await repo.add(newUser(acme, id, email, { displayName }).user, ctxOf(acme));
      await repo.add(newUser(globex, "u-9", "zoe@example.com").user, ctxOf(globex));

      const seen: string[] = [];
      let pageToken: string | undefined;
      do {
        const page = await repo.search(acme, { prefix: "zo", pageSize: 2, pageToken });
        seen.push(...page.users.map((u) => u.snapshot().email));
        pageToken = page.nextPageToken;
      } while (pageToken);
      expect(seen).toEqual(["quentin@example.com", "zoe@example.com", "zorro@example.com"]);
      expect((await repo.search(acme, { prefix: "z_", pageSize: 10 })).users.map((u) => u.id)).toEqual(["u-4"]);
      expect((await repo.search(acme, { prefix: "%", pageSize: 10 })).users).toEqual([]);
      expect((await repo.search(acme, { prefix: "zoe q", pageSize: 10 })).users.map((u) => u.id)).toEqual(["u-2"]);
    });

    it("when a page token was not issued for this query, then INVALID_ARGUMENT names it", async () => {
      for (const id of ["u-1", "u-2"]) await repo.add(newUser(acme, id, `${id}@example.com`).user, ctxOf(acme));
      const first = await repo.list(acme, { pageSize: 1 });
      expect(first.nextPageToken).toBeDefined();
      for (const attempt of [
        repo.list(acme, { pageSize: 1, pageToken: "not-a-token" }),
        repo.list(acme, { pageSize: 1, pageToken: first.nextPageToken, status: "active" }),
        repo.list(globex, { pageSize: 1, pageToken: first.nextPageToken }),
        repo.search(acme, { prefix: "u", pageSize: 1, pageToken: first.nextPageToken }),
      ]) {
        expect(await domainFailure(attempt)).toMatchObject({ kind: "invalid", field: "page.page_token" });
      }
    });
  });
}
