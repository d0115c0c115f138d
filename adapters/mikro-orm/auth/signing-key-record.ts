import { defineEntity, p } from "@mikro-orm/core";

/**
 * One signing key of the auth context (table `auth_signing_keys`). `slot` is "current" or
 * "next" for the two keys that hold those roles and null otherwise: its unique index lets the
 * database, not the replicas, guarantee one current and one next key. The private key is
 * sealed with the KEK (AES-256-GCM, kid as associated data) and erased on retirement.
 */
export const SigningKeyRecord = defineEntity({
  name: "SigningKeyRecord",
  tableName: "auth_signing_keys",
  properties: {
    kid: p.string().length(64).primary(),
    algorithm: p.string().length(16),
    publicJwk: p.text(),
    privateKeySealed: p.text().nullable(),
    status: p.string().length(16).index(),
    slot: p.string().length(16).nullable().unique(),
    createdAt: p.datetime(3),
    activatedAt: p.datetime(3).nullable(),
    deactivatedAt: p.datetime(3).nullable(),
    verifyUntil: p.datetime(3).nullable(),
    retiredAt: p.datetime(3).nullable(),
  },
});
