import type { RequestContext } from "../kit/request-context.ts";
import type { Channel, NotificationCategory } from "./notification-types.ts";

/** How to reach a user and what they accept (users' GetContactPreferences). */
export interface Contact {
  readonly userId: string;
  readonly email: string;
  readonly phoneNumber: string;
  readonly displayName: string;
  /** BCP 47; empty means the tenant default. */
  readonly locale: string;
  /** A disabled user gets only required notifications. */
  readonly disabled: boolean;
  /** Whether the user accepts this category on this channel (defaults already applied). */
  readonly optedIn: (channel: Channel, category: NotificationCategory) => boolean;
}

/** Where contacts come from; undefined for an unknown user. Throws when it cannot answer (the event is retried). */
export interface ContactDirectory {
  find(ctx: RequestContext, userId: string): Promise<Contact | undefined>;
}

export interface OutgoingEmail {
  /** Stable per delivery, so a resend after a crash is recognisable (and countable) downstream. */
  readonly messageId: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

export interface OutgoingSms {
  readonly messageId: string;
  readonly to: string;
  readonly text: string;
}

/** Resolves with the provider's message id once the provider accepted the message; throws otherwise. */
export interface EmailSender {
  send(email: OutgoingEmail): Promise<{ readonly providerMessageId: string }>;
}

export interface SmsSender {
  send(sms: OutgoingSms): Promise<{ readonly providerMessageId: string }>;
}

/** What a template problem is, for INVALID_ARGUMENT. */
export type TemplateCheck = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * The template language. `check` refuses anything but plain text, escaped variables from
 * `allowed`, comments and if/unless blocks on those variables; `render` escapes variables for
 * HTML when asked (HTML bodies), never otherwise (subjects, text bodies, SMS).
 */
export interface TemplateEngine {
  check(source: string, allowed: readonly string[]): TemplateCheck;
  render(source: string, variables: Readonly<Record<string, string>>, escaping: "html" | "none"): string;
}
