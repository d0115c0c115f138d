import type { AccessTokenIssuer } from "../../core/auth/access-token-issuer.ts";
import { signingKeyPolicy } from "../../core/auth/signing-key-policy.ts";
import { currentSigningKey, publishedJwks, type SigningKeyRing } from "../../core/auth/signing-key-ring.ts";
import type { SigningKeyStore } from "../../core/auth/signing-key-store.ts";
import type { AccessTokenVerifier } from "../../core/kit/access-token-verifier.ts";
import type { Clock } from "../../core/kit/clock.ts";
import { createJoseAccessTokenIssuer } from "../../adapters/jose/jose-access-token-issuer.ts";
import { createJoseAccessTokenVerifier } from "../../adapters/jose/jose-access-token-verifier.ts";
import { localJwks } from "../../adapters/jose/jose-local-jwks.ts";
import { createJoseSigningKeyGenerator } from "../../adapters/jose/jose-signing-key-generator.ts";
import { createMikroOrmSigningKeyStore } from "../../adapters/mikro-orm/auth/mikro-orm-signing-key-store.ts";
import type { SqlDatabase } from "../../adapters/mikro-orm/sql-database.ts";
import { aesGcmKeyEncryption } from "../../adapters/node-crypto/aes-gcm-key-encryption.ts";
import type { Logger } from "../../adapters/observability/logger.ts";

const DAY = 86_400_000;

/** What the access token fields of the config say (adapters/config/access-token-config.ts). */
export interface AccessTokenSettings {
  readonly issuer: string;
  readonly audience: string;
  readonly ttlSeconds: number;
  readonly clockToleranceSeconds: number;
  readonly rotateAfterDays: number;
  /** The key-encryption key for private signing keys at rest (32 bytes). */
  readonly keyEncryptionKey: Uint8Array;
}

export interface AccessTokenKit {
  readonly store: SigningKeyStore;
  readonly ring: SigningKeyRing;
  readonly issuer: AccessTokenIssuer;
  /** Verifies tokens against the ring's own published keys (no HTTP round trip). */
  readonly verifier: AccessTokenVerifier;
}

/** The auth context's side of the JWT kit (docs/auth.md): keys in its database, sealed with the KEK. */
export function accessTokenKit(db: SqlDatabase, settings: AccessTokenSettings, clock: Clock, logger: Logger): AccessTokenKit {
  const store = createMikroOrmSigningKeyStore(db.em, aesGcmKeyEncryption(settings.keyEncryptionKey));
  const ring: SigningKeyRing = {
    store,
    generator: createJoseSigningKeyGenerator(),
    clock,
    policy: signingKeyPolicy({ maxTokenTtlMs: settings.ttlSeconds * 1_000, rotateAfterMs: settings.rotateAfterDays * DAY }),
  };
  const issuer = createJoseAccessTokenIssuer({
    signingKey: () => currentSigningKey(store),
    issuer: settings.issuer,
    audience: settings.audience,
    ttlSeconds: settings.ttlSeconds,
    clock,
  });
  const verifier = createJoseAccessTokenVerifier({
    keys: localJwks(() => publishedJwks(store), { onRefreshError: (err) => logger.warn({ err }, "signing keys not reloaded") }),
    issuer: settings.issuer,
    audience: settings.audience,
    clockToleranceSeconds: settings.clockToleranceSeconds,
    onRejected: (reason) => logger.info({ reason }, "access token refused"),
  });
  return { store, ring, issuer, verifier };
}
