import type { DeliveryStatus } from "./deliveries.ts";
import { CATEGORY_OF, type Channel, isAccountSecurity, type NotificationType } from "./notification-types.ts";
import type { Contact } from "./ports.ts";

export interface ChannelDecision {
  readonly channel: Channel;
  /** Pending: send it; otherwise recorded as skipped with this status. */
  readonly status: Extract<DeliveryStatus, "pending" | "skipped_opted_out" | "skipped_no_contact">;
  readonly recipient: string;
}

/**
 * Which channels a notification goes out on. Email: always considered; required types (account
 * security, the order receipt) go whatever the preferences, even to a disabled user; the others
 * only when the user is active and opted in to their category by email. SMS: only for types
 * with a category the user opted in to by SMS and with a phone number; otherwise no SMS
 * delivery is recorded at all (no noise). Account security uses the address in the event.
 */
export function decideChannels(
  type: NotificationType,
  contact: Contact | undefined,
  eventEmail: string | undefined,
  hasSmsTemplate: boolean,
): ChannelDecision[] {
  const category = CATEGORY_OF[type];
  const email = isAccountSecurity(type) && eventEmail ? eventEmail : (contact?.email ?? eventEmail ?? "");
  const decisions: ChannelDecision[] = [];
  if (!email) decisions.push({ channel: "email", status: "skipped_no_contact", recipient: "" });
  else if (category === "required") decisions.push({ channel: "email", status: "pending", recipient: email });
  else if (!contact || contact.disabled || !contact.optedIn("email", category)) {
    decisions.push({ channel: "email", status: "skipped_opted_out", recipient: email });
  } else decisions.push({ channel: "email", status: "pending", recipient: email });

  if (
    category !== "required" &&
    hasSmsTemplate &&
    contact &&
    !contact.disabled &&
    contact.phoneNumber &&
    contact.optedIn("sms", category)
  ) {
    decisions.push({ channel: "sms", status: "pending", recipient: contact.phoneNumber });
  }
  return decisions;
}

/** The defaults of users (shop.users.v1.Preferences): order and shipping updates by email in, everything else out. */
export function defaultOptIn(channel: Channel, category: string): boolean {
  return channel === "email" && (category === "order_updates" || category === "shipping_updates");
}
