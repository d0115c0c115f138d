import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Credential } from "../../../core/auth/credential.ts";
import type { CredentialRepository } from "../../../core/auth/credential-repository.ts";
import { parseTenantId } from "../../../core/kit/request-context.ts";
import { domainFailure } from "../../support/domain-failure.ts";

export interface CredentialRepositoryHarness {
  readonly repository: CredentialRepository;
  dispose(): Promise<void>;
}

const acme = parseTenantId("acme");
const globex = parseTenantId("globex");
const at = new Date("2026-11-01T10:00:00.123Z");
const later = new Date("2026-11-02T10:00:00.456Z");

const credential = (overrides: Partial<Credential> = {}): Credential => ({
  tenantId: acme,
  userId: "u-ann",
  email: "ann@example.com",
  passwordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g",
  createdAt: at,
  updatedAt: at,
  ...overrides,
});

/** The behaviour every CredentialRepository adapter must show, whatever stores it. */
export function credentialRepositoryContract(name: string, open: () => Promise<CredentialRepositoryHarness>): void {
  describe(`CredentialRepository contract: ${name}`, () => {
    let harness: CredentialRepositoryHarness;
    beforeEach(async () => {
      harness = await open();
    });
    afterEach(async () => {
      await harness.dispose();
    });

    it("when a credential is saved, then it is found by email and by user, in its tenant only", async () => {
      await harness.repository.save(credential());
      expect(await harness.repository.findByEmail(acme, "ann@example.com")).toEqual(credential());
      expect(await harness.repository.findByUser(acme, "u-ann")).toEqual(credential());
      expect(await harness.repository.findByEmail(globex, "ann@example.com")).toBeUndefined();
      expect(await harness.repository.findByUser(globex, "u-ann")).toBeUndefined();
      expect(await harness.repository.findByEmail(acme, "bob@example.com")).toBeUndefined();
    });

    it("when the user's credential is saved again, then hash and email are replaced and the old email finds nothing", async () => {
      await harness.repository.save(credential());
      const replaced = credential({ email: "ann@new.example", passwordHash: "$argon2id$new", updatedAt: later });
      await harness.repository.save(replaced);
      expect(await harness.repository.findByUser(acme, "u-ann")).toEqual(replaced);
      expect(await harness.repository.findByEmail(acme, "ann@example.com")).toBeUndefined();
    });

    it("when another user of the tenant has the email, then ALREADY_EXISTS and nothing changes", async () => {
      await harness.repository.save(credential());
      await harness.repository.save(credential({ userId: "u-bob", email: "bob@example.com" }));
      const error = await domainFailure(harness.repository.save(credential({ userId: "u-carol" })));
      expect(error).toMatchObject({ kind: "already_exists", code: "AUTH.EMAIL_TAKEN" });
      const moved = await domainFailure(harness.repository.save(credential({ userId: "u-bob", passwordHash: "$argon2id$bob2" })));
      expect(moved.code).toBe("AUTH.EMAIL_TAKEN");
      expect(await harness.repository.findByUser(acme, "u-carol")).toBeUndefined();
      expect((await harness.repository.findByUser(acme, "u-bob"))?.email).toBe("bob@example.com");
    });

    it("when two tenants have users with one email, then each keeps its own", async () => {
      await harness.repository.save(credential());
      await harness.repository.save(credential({ tenantId: globex, userId: "u-ann-2", passwordHash: "$argon2id$globex" }));
      expect((await harness.repository.findByEmail(acme, "ann@example.com"))?.userId).toBe("u-ann");
      expect((await harness.repository.findByEmail(globex, "ann@example.com"))?.userId).toBe("u-ann-2");
    });

    it("when the same user's first credential is saved twice at once, then both succeed and one remains", async () => {
      await Promise.all([
        harness.repository.save(credential({ passwordHash: "$argon2id$one" })),
        harness.repository.save(credential({ passwordHash: "$argon2id$two" })),
      ]);
      expect(["$argon2id$one", "$argon2id$two"]).toContain((await harness.repository.findByUser(acme, "u-ann"))?.passwordHash);
    });
  });
}
