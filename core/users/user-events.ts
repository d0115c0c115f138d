import type { UserSnapshot } from "./user.ts";
import type { ResetPurpose } from "./user-token.ts";

export type VerificationReason = "registration" | "resend";

/**
 * What happened to a user; the repository stores these with the state change, and the
 * composition root's mapper turns them into `user-events` (shop.events.v1). The two
 * *Requested events carry the raw single-use token: the only place it ever leaves users.
 */
export type UserEvent =
  | { readonly type: "UserRegistered"; readonly user: UserSnapshot }
  | {
      readonly type: "EmailVerificationRequested";
      readonly user: UserSnapshot;
      readonly token: string;
      readonly expiresAt: Date;
      readonly reason: VerificationReason;
    }
  | { readonly type: "EmailVerified"; readonly user: UserSnapshot }
  | {
      readonly type: "PasswordResetRequested";
      readonly user: UserSnapshot;
      readonly token: string;
      readonly expiresAt: Date;
      readonly purpose: ResetPurpose;
    }
  | { readonly type: "PasswordChanged"; readonly user: UserSnapshot; readonly sessionsRevoked: boolean }
  | { readonly type: "UserProfileUpdated"; readonly user: UserSnapshot }
  | { readonly type: "UserPreferencesUpdated"; readonly user: UserSnapshot }
  | { readonly type: "UserDisabled"; readonly user: UserSnapshot; readonly reason: string }
  | { readonly type: "UserEnabled"; readonly user: UserSnapshot };
