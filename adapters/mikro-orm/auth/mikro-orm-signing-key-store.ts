import { type InferEntity, UniqueConstraintViolationException } from "@mikro-orm/core";
import type { SqlEntityManager } from "@mikro-orm/sql";
import type { PublicJwk, SigningAlgorithm, SigningKey, SigningKeyStatus } from "../../../core/auth/signing-key.ts";
import type { SigningKeyStore } from "../../../core/auth/signing-key-store.ts";
import { alreadyExists, conflict } from "../../../core/kit/domain-error.ts";
import type { KeyEncryption } from "../../node-crypto/aes-gcm-key-encryption.ts";
import { SigningKeyRecord } from "./signing-key-record.ts";

type Row = InferEntity<typeof SigningKeyRecord>;

const PUBLISHED: SigningKeyStatus[] = ["next", "current", "previous"];

/** The signing key ring in the auth database (MariaDB/MySQL, or SQLite embedded). */
export function createMikroOrmSigningKeyStore(em: SqlEntityManager, encryption: KeyEncryption): SigningKeyStore {
  const toKey = (row: Row): SigningKey => ({
    kid: row.kid,
    algorithm: row.algorithm as SigningAlgorithm,
    publicJwk: JSON.parse(row.publicJwk) as PublicJwk,
    privateKeyPkcs8: row.privateKeySealed == null ? "" : encryption.open(row.privateKeySealed, row.kid),
    status: row.status as SigningKeyStatus,
    createdAt: row.createdAt,
    activatedAt: row.activatedAt ?? undefined,
    deactivatedAt: row.deactivatedAt ?? undefined,
    verifyUntil: row.verifyUntil ?? undefined,
    retiredAt: row.retiredAt ?? undefined,
  });

  return {
    async current() {
      const row = await em.fork().findOne(SigningKeyRecord, { slot: "current" });
      return row ? toKey(row) : undefined;
    },

    async published() {
      const rows = await em
        .fork()
        .find(SigningKeyRecord, { status: { $in: PUBLISHED } }, { orderBy: { createdAt: "desc", kid: "desc" } });
      return rows.map(toKey);
    },

    async add(key, as, at) {
      const row = {
        kid: key.kid,
        algorithm: key.algorithm,
        publicJwk: JSON.stringify(key.publicJwk),
        privateKeySealed: encryption.seal(key.privateKeyPkcs8, key.kid),
        status: as,
        slot: as,
        createdAt: at,
        activatedAt: as === "current" ? at : null,
        deactivatedAt: null,
        verifyUntil: null,
        retiredAt: null,
      };
      try {
        await em.fork().insert(SigningKeyRecord, row);
      } catch (error) {
        if (!(error instanceof UniqueConstraintViolationException)) throw error;
        if ((await em.fork().count(SigningKeyRecord, { kid: key.kid })) > 0) {
          throw alreadyExists("AUTH.SIGNING_KEY_EXISTS", `signing key ${key.kid} exists already`);
        }
        throw ringChanged(`a ${as} signing key exists already`);
      }
      return toKey(row as Row);
    },

    async rotate({ to, from, at, previousVerifyUntil }) {
      try {
        await em.fork().transactional(async (tx) => {
          if (from !== undefined) {
            const demoted = await tx.nativeUpdate(
              SigningKeyRecord,
              { kid: from, status: "current" },
              { status: "previous", slot: null, deactivatedAt: at, verifyUntil: previousVerifyUntil },
            );
            if (demoted !== 1) throw ringChanged(`signing key ${from} is no longer current`);
          }
          const promoted = await tx.nativeUpdate(
            SigningKeyRecord,
            { kid: to, status: "next" },
            { status: "current", slot: "current", activatedAt: at },
          );
          if (promoted !== 1) throw ringChanged(`signing key ${to} is not the next key`);
        });
      } catch (error) {
        if (error instanceof UniqueConstraintViolationException) throw ringChanged("another signing key is current");
        throw error;
      }
    },

    async retire(kid, at) {
      await em
        .fork()
        .nativeUpdate(
          SigningKeyRecord,
          { kid, status: { $ne: "retired" } },
          { status: "retired", slot: null, retiredAt: at, privateKeySealed: null },
        );
    },
  };
}

const ringChanged = (message: string) => conflict("AUTH.KEY_RING_CHANGED", message);
