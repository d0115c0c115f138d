import type { Clock } from "../kit/clock.ts";
import type { IdGenerator } from "../kit/ids.ts";
import type { RetryPolicy } from "../kit/retry-policy.ts";
import type { NotificationStore } from "./notification-store.ts";
import type { ContactDirectory, EmailSender, SmsSender, TemplateEngine } from "./ports.ts";

export interface NotificationPolicy {
  /** Attempts per delivery (the first included) before it is dead-lettered, and the backoff between them. */
  readonly retry: RetryPolicy;
  /** How long one attempt may hold a delivery before another worker may take it. */
  readonly leaseMs: number;
  /** Base of the links in account mail, e.g. "https://shop.example" -> https://shop.example/verify-email?... */
  readonly linkBaseUrl: string;
}

export const DEFAULT_NOTIFICATION_POLICY: NotificationPolicy = {
  retry: { maxAttempts: 5, initialDelayMs: 1_000, maxDelayMs: 5 * 60_000 },
  leaseMs: 60_000,
  linkBaseUrl: "http://localhost:8080",
};

export interface NotificationsDeps {
  readonly store: NotificationStore;
  readonly contacts: ContactDirectory;
  readonly email: EmailSender;
  readonly sms: SmsSender;
  readonly templates: TemplateEngine;
  readonly clock: Clock;
  readonly newId: IdGenerator;
  readonly policy: NotificationPolicy;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

export function pageSizeOf(requested: number | undefined): number {
  return Math.min(Math.max(requested || DEFAULT_PAGE_SIZE, 1), MAX_PAGE_SIZE);
}
