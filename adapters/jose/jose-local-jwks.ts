import { createLocalJWKSet, errors } from "jose";
import type { JsonWebKeySet } from "../../core/auth/jwks.ts";
import { type Clock, systemClock } from "../../core/kit/clock.ts";
import { JwksUnavailableError } from "./jwks-unavailable-error.ts";
import type { JwtKeySource } from "./jwt-key-source.ts";

export interface LocalJwksOptions {
  /** The set is loaded again when older than this (so retired keys drop out). */
  readonly refreshAfterMs?: number;
  /** A token with an unknown kid loads the set again, at most once per cooldown. */
  readonly cooldownMs?: number;
  readonly clock?: Clock;
  /** A refresh failed; the keys in hand stay in use. */
  readonly onRefreshError?: (error: unknown) => void;
}

/**
 * Keys from inside the process, for the embedded mode (or the auth process itself): `load`
 * is typically `() => publishedJwks(store)`. Cached like the remote set: loaded on first use,
 * again when stale or on an unknown kid (with a cooldown); a failed refresh keeps the old set.
 */
export function localJwks(load: () => Promise<JsonWebKeySet>, options: LocalJwksOptions = {}): JwtKeySource {
  const { refreshAfterMs = 60_000, cooldownMs = 1_000, onRefreshError } = options;
  const clock = options.clock ?? systemClock;
  let set: ReturnType<typeof createLocalJWKSet> | undefined;
  let loadedAt = Number.NEGATIVE_INFINITY;
  let loading: Promise<void> | undefined;

  const reload = (): Promise<void> => {
    loading ??= load()
      .then(
        (jwks) => {
          set = createLocalJWKSet({ keys: jwks.keys.map((key) => ({ ...key })) });
          loadedAt = clock.now().getTime();
        },
        (error) => {
          if (!set) throw new JwksUnavailableError("cannot load the signing keys", { cause: error });
          loadedAt = clock.now().getTime(); // keep the old set, try again after the next interval
          onRefreshError?.(error);
        },
      )
      .finally(() => {
        loading = undefined;
      });
    return loading;
  };
  const age = () => clock.now().getTime() - loadedAt;

  return async (header, token) => {
    if (!set || age() >= refreshAfterMs) await reload();
    try {
      return await set!(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey) || age() < cooldownMs) throw error;
      await reload();
      return set!(header, token);
    }
  };
}
