import { invalidField } from "../kit/domain-error.ts";
import type { TenantId } from "../kit/request-context.ts";
import { type Role, Roles } from "../kit/roles.ts";
import * as book from "./address-book.ts";
import type { Address } from "./address-book.ts";
import type { EmailAddress } from "./email-address.ts";
import type { PostalAddress } from "./postal-address.ts";
import { applyChoices, type ChannelChoice, DEFAULT_PREFERENCES, type Preferences, samePreferences } from "./preferences.ts";
import { userErrors } from "./user-errors.ts";
import type { UserEvent } from "./user-events.ts";
import {
  isUsable,
  type NewToken,
  type ResetPurpose,
  type StoredToken,
  type TokenChange,
  type TokenPurpose,
} from "./user-token.ts";

export type UserStatus = "active" | "disabled";

export interface UserSnapshot {
  readonly tenantId: TenantId;
  readonly id: string;
  /** As entered (trimmed); `normalizedEmail` is the unique key within the tenant. */
  readonly email: string;
  readonly normalizedEmail: string;
  readonly emailVerified: boolean;
  readonly displayName: string;
  readonly phoneNumber: string | undefined;
  readonly status: UserStatus;
  readonly disabledReason: string | undefined;
  readonly roles: readonly Role[];
  readonly preferences: Preferences;
  readonly addresses: readonly Address[];
  /** When auth last accepted a password for the user; undefined until Register's SetCredential succeeded. */
  readonly passwordSetAt: Date | undefined;
  /** When the last verification / reset link went out (a resend within the cooldown is skipped). */
  readonly verificationSentAt: Date | undefined;
  readonly resetSentAt: Date | undefined;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  /** Bumped by every change; a save from a stale copy is a conflict. */
  readonly version: number;
}

export interface NewUser {
  readonly tenantId: TenantId;
  readonly id: string;
  readonly email: EmailAddress;
  readonly displayName: string;
  readonly locale: string;
  readonly marketingOptIn: boolean;
  readonly roles?: readonly Role[];
}

/**
 * A user of one tenant: who they are, how to reach them, where they ship to, what they may do.
 * State is private; named transitions check the current state, raise events, and record the
 * single-use token changes; the repository pulls both and stores them with the state.
 */
export class User {
  #state: UserSnapshot;
  #events: UserEvent[] = [];
  #tokenChanges: TokenChange[] = [];
  readonly #loadedAddresses: readonly Address[];
  /** The version as stored when loaded (0 for a new user): what an update must still find. */
  readonly loadedVersion: number;

  private constructor(state: UserSnapshot, loadedVersion: number) {
    this.#state = state;
    this.loadedVersion = loadedVersion;
    this.#loadedAddresses = state.addresses;
  }

  /** A new account; its first verification link goes out with it. */
  static register(input: NewUser, verification: NewToken, now: Date): User {
    const user = new User(newUserState(input, now, { verificationSentAt: now }), 0);
    user.#events.push({ type: "UserRegistered", user: user.#state });
    user.#issue(verification, "email_verification", now);
    user.#events.push({
      type: "EmailVerificationRequested",
      user: user.#state,
      token: verification.raw,
      expiresAt: verification.expiresAt,
      reason: "registration",
    });
    return user;
  }

  /**
   * A user created for someone else (the first admin of a new tenant): no password yet, so a
   * first-password link (PasswordResetRequested, ADMIN_INVITATION) goes out instead of a
   * verification link; using it verifies the email too.
   */
  static invite(input: NewUser, firstPassword: NewToken, now: Date): User {
    const user = new User(newUserState(input, now, { resetSentAt: now }), 0);
    user.#events.push({ type: "UserRegistered", user: user.#state });
    user.#issue(firstPassword, "password_reset", now);
    user.#events.push({
      type: "PasswordResetRequested",
      user: user.#state,
      token: firstPassword.raw,
      expiresAt: firstPassword.expiresAt,
      purpose: "admin_invitation",
    });
    return user;
  }

  static restore(state: UserSnapshot): User {
    return new User(state, state.version);
  }

  get id(): string {
    return this.#state.id;
  }

  get tenantId(): TenantId {
    return this.#state.tenantId;
  }

  get isActive(): boolean {
    return this.#state.status === "active";
  }

  get passwordIsSet(): boolean {
    return this.#state.passwordSetAt !== undefined;
  }

  hasRole(role: Role): boolean {
    return this.#state.roles.includes(role);
  }

  /** Auth accepted the first password (Register); no event: UserRegistered already told. */
  markPasswordSet(now: Date): void {
    if (this.passwordIsSet) return;
    this.#change({ passwordSetAt: now }, now);
  }

  /** Sends a new link unless the email is verified, the user disabled, or a link went out within `cooldownMs`. */
  requestEmailVerification(token: NewToken, now: Date, cooldownMs: number): boolean {
    const s = this.#state;
    if (s.emailVerified || !this.isActive || withinCooldown(s.verificationSentAt, now, cooldownMs)) return false;
    this.#change({ verificationSentAt: now }, now);
    this.#issue(token, "email_verification", now);
    this.#events.push({
      type: "EmailVerificationRequested",
      user: this.#state,
      token: token.raw,
      expiresAt: token.expiresAt,
      reason: "resend",
    });
    return true;
  }

  verifyEmail(token: StoredToken, now: Date): void {
    this.#spend(token, "email_verification", now);
    this.#markVerified(now);
  }

  /** Sends a reset link unless the user is disabled or a link went out within `cooldownMs`. */
  requestPasswordReset(token: NewToken, purpose: ResetPurpose, now: Date, cooldownMs: number): boolean {
    if (!this.isActive || withinCooldown(this.#state.resetSentAt, now, cooldownMs)) return false;
    this.#change({ resetSentAt: now }, now);
    this.#issue(token, "password_reset", now);
    this.#events.push({
      type: "PasswordResetRequested",
      user: this.#state,
      token: token.raw,
      expiresAt: token.expiresAt,
      purpose,
    });
    return true;
  }

  /** Spends a reset token; the link reached the mailbox, so the email counts as verified too. */
  spendResetToken(token: StoredToken, now: Date): void {
    if (!this.isActive) throw userErrors.tokenInvalid();
    this.#spend(token, "password_reset", now);
    this.#markVerified(now);
  }

  /** Auth set a new password and revoked every session (ResetPassword). */
  passwordChanged(now: Date): void {
    this.#change({ passwordSetAt: now }, now);
    this.#events.push({ type: "PasswordChanged", user: this.#state, sessionsRevoked: true });
  }

  updateProfile(patch: { displayName?: string | undefined; phoneNumber?: string | null | undefined }, now: Date): void {
    const s = this.#state;
    const displayName = patch.displayName ?? s.displayName;
    const phoneNumber = patch.phoneNumber === undefined ? s.phoneNumber : (patch.phoneNumber ?? undefined);
    if (displayName === s.displayName && phoneNumber === s.phoneNumber) return;
    this.#change({ displayName, phoneNumber }, now);
    this.#events.push({ type: "UserProfileUpdated", user: this.#state });
  }

  updatePreferences(patch: { locale?: string | undefined; choices?: readonly ChannelChoice[] }, now: Date): void {
    const current = this.#state.preferences;
    const next = applyChoices({ ...current, locale: patch.locale ?? current.locale }, patch.choices ?? []);
    if (samePreferences(current, next)) return;
    this.#change({ preferences: next }, now);
    this.#events.push({ type: "UserPreferencesUpdated", user: this.#state });
  }

  addAddress(input: { id: string; label: string; postalAddress: PostalAddress; setAsDefault: boolean }, now: Date): Address {
    this.#setAddresses(book.addAddress(this.#state.addresses, input, now), now);
    return book.findAddress(this.#state.addresses, input.id);
  }

  updateAddress(
    id: string,
    patch: { label?: string | undefined; postalAddress?: PostalAddress | undefined },
    now: Date,
  ): Address {
    this.#setAddresses(book.updateAddress(this.#state.addresses, id, patch, now), now);
    return book.findAddress(this.#state.addresses, id);
  }

  removeAddress(id: string, now: Date): void {
    this.#setAddresses(book.removeAddress(this.#state.addresses, id, now), now);
  }

  setDefaultAddress(id: string, now: Date): Address {
    this.#setAddresses(book.setDefaultAddress(this.#state.addresses, id, now), now);
    return book.findAddress(this.#state.addresses, id);
  }

  /** Idempotent: a disabled user stays disabled with the first reason. */
  disable(reason: string, now: Date): void {
    if (!this.isActive) return;
    this.#change({ status: "disabled", disabledReason: reason }, now);
    this.#events.push({ type: "UserDisabled", user: this.#state, reason });
  }

  enable(now: Date): void {
    if (this.isActive) return;
    this.#change({ status: "active", disabledReason: undefined }, now);
    this.#events.push({ type: "UserEnabled", user: this.#state });
  }

  /** Replaces the roles (no event: they reach the token at the next login or refresh). */
  setRoles(roles: readonly Role[], now: Date): void {
    if (roles.length === 0) throw invalidField("roles", "at least one role");
    const next = [...new Set(roles)].sort();
    const current = [...this.#state.roles].sort();
    if (next.length === current.length && next.every((r, i) => r === current[i])) return;
    this.#change({ roles: next }, now);
  }

  get hasChanges(): boolean {
    return this.#state.version !== this.loadedVersion;
  }

  /** Whether the saved addresses differ from those loaded (the repository rewrites them then). */
  get addressesChanged(): boolean {
    return this.#state.addresses !== this.#loadedAddresses;
  }

  snapshot(): UserSnapshot {
    return this.#state;
  }

  /** The events raised since the last pull; the repository stores them with the state. */
  pullEvents(): UserEvent[] {
    const events = this.#events;
    this.#events = [];
    return events;
  }

  /** The token changes since the last pull; the repository stores them with the state. */
  pullTokenChanges(): TokenChange[] {
    const changes = this.#tokenChanges;
    this.#tokenChanges = [];
    return changes;
  }

  #issue(token: NewToken, purpose: TokenPurpose, now: Date): void {
    this.#tokenChanges.push({
      kind: "issued",
      token: { hash: token.hash, userId: this.id, purpose, createdAt: now, expiresAt: token.expiresAt, spentAt: undefined },
    });
  }

  #spend(token: StoredToken, purpose: TokenPurpose, now: Date): void {
    if (!isUsable(token, this.id, purpose, now)) throw userErrors.tokenInvalid();
    this.#tokenChanges.push({ kind: "spent", hash: token.hash, purpose, at: now });
    this.#change({}, now);
  }

  #markVerified(now: Date): void {
    if (this.#state.emailVerified) return;
    this.#change({ emailVerified: true }, now);
    this.#events.push({ type: "EmailVerified", user: this.#state });
  }

  #setAddresses(addresses: readonly Address[], now: Date): void {
    if (addresses === this.#state.addresses) return;
    this.#change({ addresses }, now);
  }

  #change(patch: Partial<UserSnapshot>, now: Date): void {
    this.#state = { ...this.#state, ...patch, updatedAt: now, version: this.#state.version + 1 };
  }
}

function newUserState(input: NewUser, now: Date, linkSent: Partial<UserSnapshot>): UserSnapshot {
  return {
    tenantId: input.tenantId,
    id: input.id,
    email: input.email.value,
    normalizedEmail: input.email.normalized,
    emailVerified: false,
    displayName: input.displayName,
    phoneNumber: undefined,
    status: "active",
    disabledReason: undefined,
    roles: input.roles ?? [Roles.customer],
    preferences: applyChoices({ ...DEFAULT_PREFERENCES, locale: input.locale }, [
      { channel: "email", category: "marketing", optedIn: input.marketingOptIn },
    ]),
    addresses: [],
    passwordSetAt: undefined,
    verificationSentAt: undefined,
    resetSentAt: undefined,
    createdAt: now,
    updatedAt: now,
    version: 1,
    ...linkSent,
  };
}

function withinCooldown(sentAt: Date | undefined, now: Date, cooldownMs: number): boolean {
  return sentAt !== undefined && now.getTime() - sentAt.getTime() < cooldownMs;
}
