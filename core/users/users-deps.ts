import type { Clock } from "../kit/clock.ts";
import type { IdGenerator } from "../kit/ids.ts";
import type { CredentialRegistry } from "./credential-registry.ts";
import type { ProfileCache } from "./profile-cache.ts";
import type { SecretTokens } from "./secret-tokens.ts";
import type { UserRepository } from "./user-repository.ts";

/** How long links work and how often they may be re-sent. */
export interface UserPolicy {
  readonly verificationTokenTtlMs: number;
  readonly resetTokenTtlMs: number;
  /** A first-password link for an invited admin lives longer than a forgotten-password one. */
  readonly invitationTokenTtlMs: number;
  /** A request for another link within this time of the last one sends nothing (and still answers OK). */
  readonly resendCooldownMs: number;
}

export const DEFAULT_USER_POLICY: UserPolicy = {
  verificationTokenTtlMs: 24 * 60 * 60 * 1_000,
  resetTokenTtlMs: 60 * 60 * 1_000,
  invitationTokenTtlMs: 72 * 60 * 60 * 1_000,
  resendCooldownMs: 60 * 1_000,
};

/** Everything the users use cases need, handed in by the composition root. */
export interface UsersDeps {
  readonly users: UserRepository;
  readonly cache: ProfileCache;
  readonly credentials: CredentialRegistry;
  readonly secrets: SecretTokens;
  readonly clock: Clock;
  readonly newId: IdGenerator;
  readonly policy: UserPolicy;
}
