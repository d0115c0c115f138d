import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { EventMapper } from "../../core/kit/event-mapper.ts";
import type { UserEvent } from "../../core/users/user-events.ts";
import { encodeEvent } from "../../adapters/protobuf/integration-event-encoding.ts";
import {
  EmailVerificationReason,
  EmailVerificationRequestedSchema,
  EmailVerifiedSchema,
  PasswordChangedSchema,
  PasswordResetPurpose,
  PasswordResetRequestedSchema,
  UserDisabledSchema,
  UserEnabledSchema,
  UserPreferencesUpdatedSchema,
  UserProfileUpdatedSchema,
  UserRegisteredSchema,
} from "../../gen/shop/events/v1/user_events_pb.ts";
import { USER_EVENTS_TOPIC } from "../runtime/event-topics.ts";
export { USER_EVENTS_TOPIC };

/**
 * User events go to `user-events` under the user's tenant, keyed by user id, so one user's
 * events stay in order. The two *Requested events carry the raw single-use token (the only
 * place it leaves users): never log these payloads.
 */
export const usersEventMapper: EventMapper<UserEvent> = (event, ctx) => {
  const user = event.user;
  const address = { topic: USER_EVENTS_TOPIC, key: user.id, occurredAt: user.updatedAt };
  const scope = { tenantId: user.tenantId, correlationId: ctx.correlationId };
  const greeting = { userId: user.id, email: user.email, displayName: user.displayName, locale: user.preferences.locale };
  switch (event.type) {
    case "UserRegistered":
      return encodeEvent(UserRegisteredSchema, greeting, address, scope);
    case "EmailVerificationRequested":
      return encodeEvent(
        EmailVerificationRequestedSchema,
        {
          ...greeting,
          verificationToken: event.token,
          tokenExpireTime: timestampFromDate(event.expiresAt),
          reason: event.reason === "registration" ? EmailVerificationReason.REGISTRATION : EmailVerificationReason.RESEND,
        },
        address,
        scope,
      );
    case "EmailVerified":
      return encodeEvent(EmailVerifiedSchema, { userId: user.id }, address, scope);
    case "PasswordResetRequested":
      return encodeEvent(
        PasswordResetRequestedSchema,
        {
          ...greeting,
          resetToken: event.token,
          tokenExpireTime: timestampFromDate(event.expiresAt),
          purpose:
            event.purpose === "admin_invitation"
              ? PasswordResetPurpose.ADMIN_INVITATION
              : PasswordResetPurpose.FORGOTTEN_PASSWORD,
        },
        address,
        scope,
      );
    case "PasswordChanged":
      return encodeEvent(
        PasswordChangedSchema,
        { userId: user.id, email: user.email, sessionsRevoked: event.sessionsRevoked },
        address,
        scope,
      );
    case "UserProfileUpdated":
      return encodeEvent(UserProfileUpdatedSchema, { userId: user.id }, address, scope);
    case "UserPreferencesUpdated":
      return encodeEvent(UserPreferencesUpdatedSchema, { userId: user.id }, address, scope);
    case "UserDisabled":
      return encodeEvent(UserDisabledSchema, { userId: user.id, reason: event.reason }, address, scope);
    case "UserEnabled":
      return encodeEvent(UserEnabledSchema, { userId: user.id }, address, scope);
  }
};
