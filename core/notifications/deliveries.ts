import type { TenantId } from "../kit/request-context.ts";
import type { Channel, NotificationType } from "./notification-types.ts";

export type DeliveryStatus = "pending" | "retrying" | "sent" | "dead_lettered" | "skipped_opted_out" | "skipped_no_contact";

export const FINAL_STATUSES: ReadonlySet<DeliveryStatus> = new Set([
  "sent",
  "dead_lettered",
  "skipped_opted_out",
  "skipped_no_contact",
]);

export interface RenderedContent {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/**
 * One attempt chain to send one notification on one channel. `dedupeKey` is unique per
 * (tenant, channel): the source event id for a delivery caused by an event, `retry:<dead
 * letter id>` for one made by RetryDeadLetter. `content` holds the rendered message (which may
 * carry a single-use token) until the delivery is sent or skipped, then it is dropped.
 */
export interface Delivery {
  readonly deliveryId: string;
  readonly tenantId: TenantId;
  readonly dedupeKey: string;
  readonly sourceEventId: string;
  readonly sourceEventType: string;
  readonly type: NotificationType;
  readonly channel: Channel;
  readonly userId: string;
  readonly recipient: string;
  readonly recipientMasked: string;
  readonly status: DeliveryStatus;
  readonly attemptCount: number;
  readonly lastError: string;
  readonly providerMessageId: string;
  readonly createdAt: Date;
  readonly sentAt: Date | undefined;
  readonly nextAttemptAt: Date | undefined;
  /** While set and in the future, one worker is sending it; others keep off. */
  readonly leaseUntil: Date | undefined;
  readonly content: RenderedContent | undefined;
}

export interface DeadLetter {
  readonly deadLetterId: string;
  readonly tenantId: TenantId;
  readonly deliveryId: string;
  readonly failureReason: string;
  readonly createdAt: Date;
  readonly retryDeliveryId: string;
  readonly retriedAt: Date | undefined;
}

/** "j***@example.com", "+1******0100". */
export function maskRecipient(channel: Channel, recipient: string): string {
  if (!recipient) return "";
  if (channel === "email") {
    const at = recipient.lastIndexOf("@");
    if (at <= 0) return "***";
    return `${recipient[0]}***${recipient.slice(at)}`;
  }
  if (recipient.length <= 6) return "***";
  return `${recipient.slice(0, 2)}${"*".repeat(recipient.length - 6)}${recipient.slice(-4)}`;
}

/** The SMTP Message-ID (and SMS reference) of a delivery: the same on every attempt. */
export function messageIdOf(deliveryId: string): string {
  return `<${deliveryId}@notifications.shopmesh>`;
}

/** What went wrong, short enough for a column and without a stack. */
export function errorText(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.length > 500 ? `${text.slice(0, 497)}...` : text;
}
