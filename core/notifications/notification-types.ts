/** What a notification is about (shop.notifications.v1.NotificationType, lower case without prefix). */
export const NOTIFICATION_TYPES = [
  "email_verification",
  "password_reset",
  "admin_invitation",
  "password_changed",
  "order_confirmed",
  "order_cancelled",
  "payment_failed",
  "order_shipped",
  "order_delivered",
  "payment_refunded",
] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

export const CHANNELS = ["email", "sms"] as const;
export type Channel = (typeof CHANNELS)[number];

/** The opt-in categories of users (shop.users.v1.NotificationCategory). */
export type NotificationCategory = "order_updates" | "shipping_updates" | "marketing";

/**
 * Whether a type is sent whatever the user's preferences ("required": account security and the
 * order receipt, which the law asks for), or only when the user is opted in to its category.
 */
export const CATEGORY_OF: Readonly<Record<NotificationType, NotificationCategory | "required">> = {
  email_verification: "required",
  password_reset: "required",
  admin_invitation: "required",
  password_changed: "required",
  order_confirmed: "required",
  order_cancelled: "order_updates",
  payment_failed: "order_updates",
  payment_refunded: "order_updates",
  order_shipped: "shipping_updates",
  order_delivered: "shipping_updates",
};

/** Account security messages go to the address in the event, by email only, never by SMS. */
export function isAccountSecurity(type: NotificationType): boolean {
  return type === "email_verification" || type === "password_reset" || type === "admin_invitation" || type === "password_changed";
}

const COMMON_VARIABLES = ["display_name", "tenant_id"] as const;

/** The variables a template of each type may use (all strings; empty when unknown). */
export const VARIABLES_OF: Readonly<Record<NotificationType, readonly string[]>> = {
  email_verification: [...COMMON_VARIABLES, "verification_token", "verification_url", "expire_time"],
  password_reset: [...COMMON_VARIABLES, "reset_token", "reset_url", "expire_time"],
  admin_invitation: [...COMMON_VARIABLES, "reset_token", "reset_url", "expire_time"],
  password_changed: [...COMMON_VARIABLES, "sessions_revoked"],
  order_confirmed: [...COMMON_VARIABLES, "order_id", "order_total", "line_count"],
  order_cancelled: [...COMMON_VARIABLES, "order_id", "order_total", "refund_due"],
  payment_failed: [...COMMON_VARIABLES, "order_id", "amount", "failure_code"],
  order_shipped: [...COMMON_VARIABLES, "order_id", "carrier", "tracking_number", "tracking_url"],
  order_delivered: [...COMMON_VARIABLES, "order_id"],
  payment_refunded: [...COMMON_VARIABLES, "order_id", "amount"],
};

/** What the consumer asks for: one notification of one type to one user, from one event. */
export interface NotificationRequest {
  readonly type: NotificationType;
  /** Recipient user; empty for a non-user recipient. */
  readonly userId: string;
  /** For account security: the address named by the event (the contact directory is not asked). */
  readonly email?: string | undefined;
  readonly displayName?: string | undefined;
  readonly locale?: string | undefined;
  readonly variables: Readonly<Record<string, string>>;
}

/** The event that caused a notification (its event-id and event-type headers). */
export interface SourceEvent {
  readonly id: string;
  readonly type: string;
}
