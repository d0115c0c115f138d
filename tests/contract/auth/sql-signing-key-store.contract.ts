import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createMikroOrmSigningKeyStore } from "../../../adapters/mikro-orm/auth/mikro-orm-signing-key-store.ts";
import { SigningKeyRecord } from "../../../adapters/mikro-orm/auth/signing-key-record.ts";
import { aesGcmKeyEncryption } from "../../../adapters/node-crypto/aes-gcm-key-encryption.ts";
import { openSqlTestDatabase, type SqlEngine, type SqlTestDatabase } from "../../support/sql-test-database.ts";
import { describeSigningKeyStoreContract } from "./signing-key-store.contract.ts";
import { at, testSigningKey } from "./support/test-signing-keys.ts";

const openDatabase = (engine: SqlEngine) => openSqlTestDatabase(engine, "signing_keys", [SigningKeyRecord]);
const emptyTable = (db: SqlTestDatabase) => db.em.fork().nativeDelete(SigningKeyRecord, {});

/** The port's contract plus what only a database can show: private keys encrypted at rest. */
export function describeSqlSigningKeyStore(engine: SqlEngine): void {
  const kek = randomBytes(32);

  describeSigningKeyStoreContract(`MikroORM on ${engine}`, async () => {
    const db = await openDatabase(engine);
    return {
      store: createMikroOrmSigningKeyStore(db.em, aesGcmKeyEncryption(kek)),
      reset: async () => void (await emptyTable(db)),
      dispose: db.dispose,
    };
  });

  describe(`signing keys at rest: MikroORM on ${engine}`, () => {
    let db: SqlTestDatabase;
    beforeAll(async () => {
      db = await openDatabase(engine);
    });
    beforeEach(async () => {
      await emptyTable(db);
    });
    afterAll(async () => {
      await db?.dispose();
    });
    const rowOf = (kid: string) => db.em.fork().findOneOrFail(SigningKeyRecord, { kid });

    it("when a key is stored, then its row holds no private key text, and it reads back with the KEK", async () => {
      const store = createMikroOrmSigningKeyStore(db.em, aesGcmKeyEncryption(kek));
      const key = testSigningKey();
      await store.add(key, "current", at("2026-03-01T10:00:00.000Z"));

      const row = await rowOf(key.kid);
      expect(row.privateKeySealed).toMatch(/^v1\./);
      expect(row.privateKeySealed).not.toContain("PRIVATE KEY");
      expect(row.privateKeySealed).not.toContain(`secret-of-${key.kid}`);
      expect(row.publicJwk).toContain(key.publicJwk.x);
      expect((await store.current())?.privateKeyPkcs8).toBe(key.privateKeyPkcs8);
    });

    it("when the store is opened with another KEK, then reading a key fails and says so", async () => {
      await createMikroOrmSigningKeyStore(db.em, aesGcmKeyEncryption(kek)).add(
        testSigningKey(),
        "current",
        at("2026-03-01T10:00:00.000Z"),
      );

      const other = createMikroOrmSigningKeyStore(db.em, aesGcmKeyEncryption(randomBytes(32)));

      await expect(other.current()).rejects.toThrow(/another key-encryption key/);
    });

    it("when a sealed private key is copied into another key's row, then it does not open", async () => {
      const store = createMikroOrmSigningKeyStore(db.em, aesGcmKeyEncryption(kek));
      const a = testSigningKey();
      const b = testSigningKey();
      await store.add(a, "current", at("2026-03-01T10:00:00.000Z"));
      await store.add(b, "next", at("2026-03-01T10:00:00.000Z"));

      const sealedA = (await rowOf(a.kid)).privateKeySealed;
      await db.em.fork().nativeUpdate(SigningKeyRecord, { kid: b.kid }, { privateKeySealed: sealedA });

      await expect(store.published()).rejects.toThrow(/does not open/);
    });

    it("when a key is retired, then its private key is erased from the row", async () => {
      const store = createMikroOrmSigningKeyStore(db.em, aesGcmKeyEncryption(kek));
      const key = testSigningKey();
      await store.add(key, "current", at("2026-03-01T10:00:00.000Z"));

      await store.retire(key.kid, at("2026-03-02T10:00:00.000Z"));

      const row = await rowOf(key.kid);
      expect(row.status).toBe("retired");
      expect(row.privateKeySealed ?? null).toBeNull();
    });
  });
}
