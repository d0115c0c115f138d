import { createRemoteJWKSet, errors } from "jose";
import { JwksUnavailableError } from "./jwks-unavailable-error.ts";
import type { JwtKeySource } from "./jwt-key-source.ts";

export interface RemoteJwksOptions {
  /** After this long the set is fetched again in the background; calls keep using the old one meanwhile. */
  readonly refreshAfterMs?: number;
  /** A token with an unknown kid fetches the set again at once, but at most once per cooldown. */
  readonly cooldownMs?: number;
  readonly timeoutMs?: number;
  /** A background refresh failed; the keys in hand stay in use. */
  readonly onRefreshError?: (error: unknown) => void;
}

/**
 * The auth service's JWKS over HTTP (`GET <auth>/.well-known/jwks.json`), through jose's
 * createRemoteJWKSet: fetched on first use, imported keys cached, fetched again on an unknown
 * kid (with a cooldown, so forged kids cannot hammer auth). Unlike jose's own max age, an
 * old set is refreshed in the background and kept when the refresh fails: auth being down
 * does not stop other services from verifying tokens with the keys they already have.
 */
export function remoteJwks(url: string | URL, options: RemoteJwksOptions = {}): JwtKeySource {
  const { refreshAfterMs = 300_000, cooldownMs = 30_000, timeoutMs = 5_000, onRefreshError } = options;
  const set = createRemoteJWKSet(new URL(url), {
    cacheMaxAge: Number.POSITIVE_INFINITY,
    cooldownDuration: cooldownMs,
    timeoutDuration: timeoutMs,
  });
  let loadedAt: number | undefined;
  return async (header, token) => {
    const now = Date.now();
    if (loadedAt !== undefined && now - loadedAt >= refreshAfterMs && !set.reloading) {
      loadedAt = now;
      set.reload().catch((error) => onRefreshError?.(error));
    }
    try {
      const key = await set(header, token);
      loadedAt ??= now;
      return key;
    } catch (error) {
      if (isTokensFault(error)) throw error;
      throw new JwksUnavailableError(`cannot load the signing keys from ${url}`, { cause: error });
    }
  };
}

function isTokensFault(error: unknown): boolean {
  return (
    error instanceof errors.JWKSNoMatchingKey ||
    error instanceof errors.JWKSMultipleMatchingKeys ||
    error instanceof errors.JOSEAlgNotAllowed ||
    error instanceof errors.JOSENotSupported
  );
}
