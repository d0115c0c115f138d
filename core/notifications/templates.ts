import { DomainError } from "../kit/domain-error.ts";
import type { TenantId } from "../kit/request-context.ts";
import type { Channel, NotificationType } from "./notification-types.ts";

export interface TemplateKey {
  readonly type: NotificationType;
  readonly channel: Channel;
  /** BCP 47 tag, lower-case language ("en", "de-CH"). */
  readonly locale: string;
}

export interface TemplateContent {
  readonly subject: string;
  readonly bodyText: string;
  readonly bodyHtml: string;
}

export type Template = TemplateKey &
  TemplateContent & {
    readonly source: "built_in" | "tenant";
    /** Optimistic concurrency version of an override; 0 for a built-in. */
    readonly version: number;
    readonly updatedAt: Date | undefined;
  };

/** A tenant's override as stored. */
export type StoredTemplate = TemplateKey &
  TemplateContent & { readonly tenantId: TenantId; readonly version: number; readonly updatedAt: Date };

const LOCALE = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;
export function isLocale(value: string): boolean {
  return value.length <= 35 && LOCALE.test(value);
}

/** Lookup order: the locale, its language, then "en". */
export function localeFallbacks(locale: string | undefined): string[] {
  const out: string[] = [];
  const tag = locale && isLocale(locale) ? locale : "";
  if (tag) out.push(tag);
  const language = tag.split("-")[0];
  if (language && !out.includes(language)) out.push(language);
  if (!out.includes("en")) out.push("en");
  return out;
}

const footer = "\n\n-- \n{{tenant_id}} (sent by shopmesh)";
const email = (subject: string, text: string, html: string): TemplateContent => ({
  subject,
  bodyText: `Hello {{display_name}},\n\n${text}${footer}`,
  bodyHtml: `<p>Hello {{display_name}},</p>\n${html}\n<p style="color:#888">{{tenant_id}} (sent by shopmesh)</p>`,
});
const sms = (text: string): TemplateContent => ({ subject: "", bodyText: text, bodyHtml: "" });

/** Built-in templates ("en"); a tenant overrides any of them, or adds other locales. */
export const BUILT_IN_TEMPLATES: Readonly<Partial<Record<`${NotificationType}/${Channel}`, TemplateContent>>> = {
  "email_verification/email": email(
    "Verify your email address",
    "Please confirm your email address: {{verification_url}}\nThe link works until {{expire_time}}.",
    '<p>Please confirm your email address: <a href="{{verification_url}}">verify</a>.</p>\n<p>The link works until {{expire_time}}.</p>',
  ),
  "password_reset/email": email(
    "Reset your password",
    "Someone asked to reset your password. If it was you: {{reset_url}}\nThe link works until {{expire_time}}. If it was not you, ignore this message.",
    '<p>Someone asked to reset your password. If it was you: <a href="{{reset_url}}">reset it</a>.</p>\n<p>The link works until {{expire_time}}. If it was not you, ignore this message.</p>',
  ),
  "admin_invitation/email": email(
    "Set your administrator password",
    "You were made an administrator of {{tenant_id}}. Set your password: {{reset_url}}\nThe link works until {{expire_time}}.",
    '<p>You were made an administrator of {{tenant_id}}. <a href="{{reset_url}}">Set your password</a>.</p>\n<p>The link works until {{expire_time}}.</p>',
  ),
  "password_changed/email": email(
    "Your password was changed",
    "Your password was just changed.{{#if sessions_revoked}} Every session was signed out.{{/if}} If it was not you, reset it at once.",
    "<p>Your password was just changed.{{#if sessions_revoked}} Every session was signed out.{{/if}} If it was not you, reset it at once.</p>",
  ),
  "order_confirmed/email": email(
    "Order {{order_id}} confirmed",
    "Thank you for your order {{order_id}} ({{line_count}} lines, total {{order_total}}).",
    "<p>Thank you for your order <b>{{order_id}}</b> ({{line_count}} lines, total {{order_total}}).</p>",
  ),
  "order_cancelled/email": email(
    "Order {{order_id}} cancelled",
    "Your order {{order_id}} was cancelled.{{#if refund_due}} {{order_total}} will be refunded.{{/if}}",
    "<p>Your order <b>{{order_id}}</b> was cancelled.{{#if refund_due}} {{order_total}} will be refunded.{{/if}}</p>",
  ),
  "payment_failed/email": email(
    "Payment for order {{order_id}} failed",
    "The payment of {{amount}} for order {{order_id}} was declined ({{failure_code}}).",
    "<p>The payment of {{amount}} for order <b>{{order_id}}</b> was declined ({{failure_code}}).</p>",
  ),
  "order_shipped/email": email(
    "Order {{order_id}} is on its way",
    "Your order {{order_id}} was handed to {{carrier}}, tracking number {{tracking_number}}: {{tracking_url}}",
    '<p>Your order <b>{{order_id}}</b> was handed to {{carrier}}, tracking number <a href="{{tracking_url}}">{{tracking_number}}</a>.</p>',
  ),
  "order_delivered/email": email(
    "Order {{order_id}} delivered",
    "Your order {{order_id}} was delivered.",
    "<p>Your order <b>{{order_id}}</b> was delivered.</p>",
  ),
  "payment_refunded/email": email(
    "Refund for order {{order_id}}",
    "{{amount}} was refunded for your order {{order_id}}.",
    "<p>{{amount}} was refunded for your order <b>{{order_id}}</b>.</p>",
  ),
  "order_confirmed/sms": sms("Order {{order_id}} confirmed, total {{order_total}}."),
  "order_cancelled/sms": sms("Order {{order_id}} was cancelled."),
  "payment_failed/sms": sms("Payment for order {{order_id}} failed."),
  "order_shipped/sms": sms("Order {{order_id}} shipped with {{carrier}}: {{tracking_number}}"),
  "order_delivered/sms": sms("Order {{order_id}} was delivered."),
  "payment_refunded/sms": sms("{{amount}} refunded for order {{order_id}}."),
};

export function builtInTemplate(type: NotificationType, channel: Channel): Template | undefined {
  const content = BUILT_IN_TEMPLATES[`${type}/${channel}`];
  return content && { type, channel, locale: "en", ...content, source: "built_in", version: 0, updatedAt: undefined };
}

export function overrideTemplate(stored: StoredTemplate): Template {
  return {
    type: stored.type,
    channel: stored.channel,
    locale: stored.locale,
    subject: stored.subject,
    bodyText: stored.bodyText,
    bodyHtml: stored.bodyHtml,
    source: "tenant",
    version: stored.version,
    updatedAt: stored.updatedAt,
  };
}

/**
 * The template for a notification: for each locale in the fallback order, the tenant's
 * override first, then the built-in one (built-ins exist for "en" only).
 */
export function chooseTemplate(
  type: NotificationType,
  channel: Channel,
  locale: string | undefined,
  overrides: readonly StoredTemplate[],
): Template | undefined {
  for (const candidate of localeFallbacks(locale)) {
    const override = overrides.find((o) => o.type === type && o.channel === channel && o.locale === candidate);
    if (override) return overrideTemplate(override);
    if (candidate === "en") return builtInTemplate(type, channel);
  }
  return undefined;
}

/** SMS text beyond this is cut. */
export const MAX_SMS_CHARS = 640;

/** ABORTED: UpsertTemplate with a version that is not the stored one (0 when none is stored). */
export function staleTemplate(current: number): DomainError {
  return new DomainError(
    "conflict",
    "NOTIFICATIONS.TEMPLATE_VERSION_STALE",
    `expected_version does not match the stored version ${current} (0 creates a new override)`,
    { field: "expected_version" },
  );
}
