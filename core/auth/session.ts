import type { TenantId } from "../kit/request-context.ts";
import type { SessionPolicy } from "./session-policy.ts";

/** Why a session ended early. */
export type SessionRevocation =
  | "logout"
  | "logout_everywhere"
  | "revoked_by_user"
  | "refresh_token_reused"
  | "user_disabled"
  | "user_inactive"
  | "password_reset";

export interface SessionSnapshot {
  readonly id: string;
  readonly tenantId: TenantId;
  readonly userId: string;
  /** Digest of the one refresh token that may be spent next; every earlier one is spent. */
  readonly currentTokenDigest: string;
  readonly createdAt: Date;
  readonly lastRefreshedAt: Date;
  /** createdAt + maxAge: no refresh goes past it. */
  readonly absoluteExpiresAt: Date;
  /** When it expires unless refreshed: min(lastRefreshedAt + idleTimeout, absoluteExpiresAt). */
  readonly expiresAt: Date;
  readonly userAgent: string;
  readonly ipAddressMasked: string;
  readonly revokedAt: Date | undefined;
  readonly revokedReason: SessionRevocation | undefined;
  /** Bumped by every change; a save from a stale copy is a conflict. */
  readonly version: number;
}

export interface NewSession {
  readonly id: string;
  readonly tenantId: TenantId;
  readonly userId: string;
  readonly firstTokenDigest: string;
  readonly userAgent: string;
  readonly ipAddressMasked: string;
}

/**
 * One login on one device: a family of refresh tokens of which only the newest may be spent.
 * Spending an older one means a token leaked (or a client raced itself): the whole family is
 * revoked. The repository stores every digest the family issued, so a spent token is still
 * recognised as this family's.
 */
export class Session {
  #state: SessionSnapshot;
  #issuedDigests: string[] = [];
  /** The version as stored when loaded (0 for a new session): what an update must still find. */
  readonly loadedVersion: number;

  private constructor(state: SessionSnapshot, loadedVersion: number) {
    this.#state = state;
    this.loadedVersion = loadedVersion;
  }

  static open(input: NewSession, now: Date, policy: SessionPolicy): Session {
    const absoluteExpiresAt = new Date(now.getTime() + policy.maxAgeMs);
    const session = new Session(
      {
        id: input.id,
        tenantId: input.tenantId,
        userId: input.userId,
        currentTokenDigest: input.firstTokenDigest,
        createdAt: now,
        lastRefreshedAt: now,
        absoluteExpiresAt,
        expiresAt: idleExpiry(now, absoluteExpiresAt, policy),
        userAgent: input.userAgent,
        ipAddressMasked: input.ipAddressMasked,
        revokedAt: undefined,
        revokedReason: undefined,
        version: 1,
      },
      0,
    );
    session.#issuedDigests.push(input.firstTokenDigest);
    return session;
  }

  static restore(state: SessionSnapshot): Session {
    return new Session(state, state.version);
  }

  get id(): string {
    return this.#state.id;
  }

  get userId(): string {
    return this.#state.userId;
  }

  get expiresAt(): Date {
    return this.#state.expiresAt;
  }

  /** Not revoked and not expired. */
  isActive(now: Date): boolean {
    return this.#state.revokedAt === undefined && now < this.#state.expiresAt;
  }

  /** Whether `digest` is the token that may be spent next (any other digest of the family is spent). */
  isCurrentToken(digest: string): boolean {
    return this.#state.currentTokenDigest === digest;
  }

  /** Spends the current token for `nextDigest`; the idle expiry moves on, the absolute one does not. */
  rotate(nextDigest: string, now: Date, policy: SessionPolicy): void {
    if (!this.isActive(now)) throw new Error(`session ${this.id} is not active: check isActive() first`);
    this.#change({
      currentTokenDigest: nextDigest,
      lastRefreshedAt: now,
      expiresAt: idleExpiry(now, this.#state.absoluteExpiresAt, policy),
    });
    this.#issuedDigests.push(nextDigest);
  }

  /** Ends the session; idempotent (the first reason stays). True when this call revoked it. */
  revoke(reason: SessionRevocation, now: Date): boolean {
    if (this.#state.revokedAt !== undefined) return false;
    this.#change({ revokedAt: now, revokedReason: reason });
    return true;
  }

  get hasChanges(): boolean {
    return this.#state.version !== this.loadedVersion;
  }

  snapshot(): SessionSnapshot {
    return this.#state;
  }

  /** Digests of the refresh tokens issued since the last pull; the repository indexes them with the state. */
  pullIssuedDigests(): string[] {
    const digests = this.#issuedDigests;
    this.#issuedDigests = [];
    return digests;
  }

  #change(patch: Partial<SessionSnapshot>): void {
    this.#state = { ...this.#state, ...patch, version: this.#state.version + 1 };
  }
}

function idleExpiry(from: Date, absoluteExpiresAt: Date, policy: SessionPolicy): Date {
  return new Date(Math.min(from.getTime() + policy.idleTimeoutMs, absoluteExpiresAt.getTime()));
}
