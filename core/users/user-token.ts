import type { SecretTokens } from "./secret-tokens.ts";

export type TokenPurpose = "email_verification" | "password_reset";

/** Why a reset link goes out: a forgotten password, or a first password for an invited admin. */
export type ResetPurpose = "forgotten_password" | "admin_invitation";

/** A freshly made token: `raw` travels only in the event that notifications deliver. */
export interface NewToken {
  readonly raw: string;
  readonly hash: string;
  readonly expiresAt: Date;
}

/** A token as stored: its hash, whose it is, what for, until when, and whether it was spent. */
export interface StoredToken {
  readonly hash: string;
  readonly userId: string;
  readonly purpose: TokenPurpose;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly spentAt: Date | undefined;
}

/**
 * What the repository must store with the user: an issued token supersedes (spends) the user's
 * other live tokens of its purpose; a spent token spends every live token of its purpose, so at
 * most one link per purpose works at any time and none works after one was used.
 */
export type TokenChange =
  | { readonly kind: "issued"; readonly token: StoredToken }
  | { readonly kind: "spent"; readonly hash: string; readonly purpose: TokenPurpose; readonly at: Date };

export function newToken(secrets: SecretTokens, ttlMs: number, now: Date): NewToken {
  const raw = secrets.generate();
  return { raw, hash: secrets.hash(raw), expiresAt: new Date(now.getTime() + ttlMs) };
}

export function isUsable(token: StoredToken, userId: string, purpose: TokenPurpose, now: Date): boolean {
  return (
    token.userId === userId &&
    token.purpose === purpose &&
    token.spentAt === undefined &&
    now.getTime() < token.expiresAt.getTime()
  );
}
