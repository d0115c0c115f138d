import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Session } from "../../../core/auth/session.ts";
import { sessionPolicy } from "../../../core/auth/session-policy.ts";
import type { SessionRepository } from "../../../core/auth/session-repository.ts";
import { parseTenantId } from "../../../core/kit/request-context.ts";
import { domainFailure } from "../../support/domain-failure.ts";

export interface SessionRepositoryHarness {
  readonly repository: SessionRepository;
  dispose(): Promise<void>;
}

const acme = parseTenantId("acme");
const globex = parseTenantId("globex");
const HOUR = 3_600_000;
const policy = sessionPolicy({ idleTimeoutMs: 24 * HOUR, maxAgeMs: 72 * HOUR });
const t0 = new Date("2026-11-01T10:00:00.123Z");
const plus = (ms: number) => new Date(t0.getTime() + ms);
const digest = (n: number) => n.toString(16).padStart(64, "0");

const open = (id: string, options: { tenant?: typeof acme; user?: string; at?: Date; token?: number } = {}) =>
  Session.open(
    {
      id,
      tenantId: options.tenant ?? acme,
      userId: options.user ?? "u-ann",
      firstTokenDigest: digest(options.token ?? Number.parseInt(id.replace(/\D/g, "") || "0", 10) * 1000),
      userAgent: "agent/1",
      ipAddressMasked: "203.0.113.0",
    },
    options.at ?? t0,
    policy,
  );

/** The behaviour every SessionRepository adapter must show, whatever stores it. */
export function sessionRepositoryContract(name: string, openHarness: () => Promise<SessionRepositoryHarness>): void {
  describe(`SessionRepository contract: ${name}`, () => {
    let harness: SessionRepositoryHarness;
    let sessions: SessionRepository;
    beforeEach(async () => {
      harness = await openHarness();
      sessions = harness.repository;
    });
    afterEach(async () => {
      await harness.dispose();
    });

    it("when a session is added, then it is found by id and by its token digest, in its tenant only", async () => {
      const session = open("s-1", { token: 1 });
      await sessions.add(session);
      expect((await sessions.find(acme, "s-1"))?.snapshot()).toEqual(session.snapshot());
      expect((await sessions.findByTokenDigest(acme, digest(1)))?.id).toBe("s-1");
      expect(await sessions.find(globex, "s-1")).toBeUndefined();
      expect(await sessions.findByTokenDigest(globex, digest(1))).toBeUndefined();
      expect(await sessions.findByTokenDigest(acme, digest(2))).toBeUndefined();
    });

    it("when an id is taken, then adding again is ALREADY_EXISTS", async () => {
      await sessions.add(open("s-1", { token: 1 }));
      expect((await domainFailure(sessions.add(open("s-1", { token: 2 })))).kind).toBe("already_exists");
    });

    it("when a session rotates, then both the spent and the new digest lead to it, and the new one is current", async () => {
      await sessions.add(open("s-1", { token: 1 }));
      const loaded = (await sessions.find(acme, "s-1"))!;
      loaded.rotate(digest(2), plus(HOUR), policy);
      await sessions.update(loaded);
      const bySpent = (await sessions.findByTokenDigest(acme, digest(1)))!;
      const byNew = (await sessions.findByTokenDigest(acme, digest(2)))!;
      expect(bySpent.id).toBe("s-1");
      expect(byNew.snapshot()).toEqual(loaded.snapshot());
      expect(byNew.isCurrentToken(digest(2))).toBe(true);
      expect(bySpent.isCurrentToken(digest(1))).toBe(false);
      expect(byNew.snapshot()).toMatchObject({ version: 2, lastRefreshedAt: plus(HOUR), expiresAt: plus(25 * HOUR) });
    });

    it("when two copies rotate, then the second save is a conflict and its digest is not stored", async () => {
      await sessions.add(open("s-1", { token: 1 }));
      const first = (await sessions.find(acme, "s-1"))!;
      const second = (await sessions.find(acme, "s-1"))!;
      first.rotate(digest(2), plus(HOUR), policy);
      await sessions.update(first);
      second.rotate(digest(3), plus(HOUR), policy);
      expect((await domainFailure(sessions.update(second))).kind).toBe("conflict");
      expect(await sessions.findByTokenDigest(acme, digest(3))).toBeUndefined();
      expect((await sessions.find(acme, "s-1"))!.isCurrentToken(digest(2))).toBe(true);
    });

    it("when a session is revoked, then the revocation is stored with its reason", async () => {
      await sessions.add(open("s-1"));
      const loaded = (await sessions.find(acme, "s-1"))!;
      loaded.revoke("logout", plus(HOUR));
      await sessions.update(loaded);
      expect((await sessions.find(acme, "s-1"))!.snapshot()).toMatchObject({ revokedAt: plus(HOUR), revokedReason: "logout" });
    });

    it("when all of a user's sessions are revoked, then only their active ones in that tenant are counted and changed", async () => {
      await sessions.add(open("s-1"));
      await sessions.add(open("s-2", { at: plus(HOUR) }));
      await sessions.add(open("s-3", { at: plus(-30 * HOUR) })); // idle-expired by t0 + 1h
      await sessions.add(open("s-4", { user: "u-bob" }));
      await sessions.add(open("s-5", { tenant: globex }));
      const revokedBefore = (await sessions.find(acme, "s-2"))!;
      revokedBefore.revoke("logout", plus(HOUR));
      await sessions.update(revokedBefore);
      const stale = (await sessions.find(acme, "s-1"))!;

      expect(await sessions.revokeAllOfUser(acme, "u-ann", "user_disabled", plus(2 * HOUR))).toBe(1);
      expect(await sessions.revokeAllOfUser(acme, "u-ann", "user_disabled", plus(2 * HOUR))).toBe(0);
      expect((await sessions.find(acme, "s-1"))!.snapshot()).toMatchObject({ revokedReason: "user_disabled", version: 2 });
      expect((await sessions.find(acme, "s-2"))!.snapshot().revokedReason).toBe("logout");
      expect((await sessions.find(acme, "s-4"))!.snapshot().revokedAt).toBeUndefined();
      expect((await sessions.find(globex, "s-5"))!.snapshot().revokedAt).toBeUndefined();
      // A copy loaded before the bulk revocation can no longer be saved over it.
      stale.rotate(digest(99), plus(2 * HOUR), policy);
      expect((await domainFailure(sessions.update(stale))).kind).toBe("conflict");
    });

    it("when listing, then the user's active sessions come newest first, page by page, without others' or ended ones", async () => {
      for (let i = 1; i <= 5; i++) await sessions.add(open(`s-${i}`, { at: plus(i * 1_000) }));
      await sessions.add(open("s-6", { at: plus(3_000) })); // same instant as s-3: ordered by id
      await sessions.add(open("s-7", { user: "u-bob", at: plus(9_000) }));
      await sessions.add(open("s-8", { tenant: globex, at: plus(9_000) }));
      await sessions.add(open("s-9", { at: plus(-48 * HOUR) }));
      const revoked = (await sessions.find(acme, "s-2"))!;
      revoked.revoke("logout", plus(10_000));
      await sessions.update(revoked);

      const seen: string[] = [];
      let pageToken: string | undefined;
      do {
        const page = await sessions.listActive({ tenantId: acme, userId: "u-ann", now: plus(HOUR), pageSize: 2, pageToken });
        expect(page.sessions.length).toBeLessThanOrEqual(2);
        seen.push(...page.sessions.map((s) => s.id));
        pageToken = page.nextPageToken;
      } while (pageToken);
      expect(seen).toEqual(["s-5", "s-4", "s-6", "s-3", "s-1"]);
    });

    it("when a page token was not issued by the service, then INVALID_ARGUMENT names it", async () => {
      const error = await domainFailure(
        sessions.listActive({ tenantId: acme, userId: "u-ann", now: t0, pageSize: 2, pageToken: "not-a-token" }),
      );
      expect(error).toMatchObject({ kind: "invalid", field: "page.page_token" });
    });
  });
}
