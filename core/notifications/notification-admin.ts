import { requireRole } from "../kit/caller-guards.ts";
import { invalidField, isDomainError, notFound } from "../kit/domain-error.ts";
import type { RequestContext } from "../kit/request-context.ts";
import { Roles } from "../kit/roles.ts";
import type { DeadLetter, Delivery } from "./deliveries.ts";
import type { DeliveryFilter, Page } from "./notification-store.ts";
import { type Channel, type NotificationType, VARIABLES_OF } from "./notification-types.ts";
import { type NotificationsDeps, pageSizeOf } from "./notifications-deps.ts";
import { attemptDelivery } from "./notify.ts";
import {
  BUILT_IN_TEMPLATES,
  builtInTemplate,
  isLocale,
  overrideTemplate,
  type Template,
  type TemplateContent,
  type TemplateKey,
} from "./templates.ts";
import { decodePageToken, encodePageToken } from "../kit/page-token.ts";

export const MAX_SUBJECT = 200;
export const MAX_BODY_TEXT = 20_000;
export const MAX_BODY_HTML = 100_000;

function requireTenantAdmin(ctx: RequestContext): void {
  requireRole(ctx, Roles.tenantAdmin);
}

function parseKey(key: TemplateKey): TemplateKey {
  if (!isLocale(key.locale)) throw invalidField("locale", "must be a BCP 47 tag such as en or de-CH");
  return { ...key, locale: key.locale };
}

/**
 * Checks a template against its type's variables and channel: email needs a subject (1..200),
 * SMS takes neither subject nor HTML; every part must parse and use only the type's variables.
 */
export function checkTemplate(deps: Pick<NotificationsDeps, "templates">, key: TemplateKey, content: TemplateContent): void {
  const allowed = VARIABLES_OF[key.type];
  if (key.channel === "email") {
    if (!content.subject.trim()) throw invalidField("subject", "is required for email");
  } else {
    if (content.subject) throw invalidField("subject", "must be empty for SMS");
    if (content.bodyHtml) throw invalidField("body_html", "must be empty for SMS");
  }
  if (content.subject.length > MAX_SUBJECT) throw invalidField("subject", `must be at most ${MAX_SUBJECT} characters`);
  if (!content.bodyText.trim()) throw invalidField("body_text", "is required");
  if (content.bodyText.length > MAX_BODY_TEXT) throw invalidField("body_text", `must be at most ${MAX_BODY_TEXT} characters`);
  if (content.bodyHtml.length > MAX_BODY_HTML) throw invalidField("body_html", `must be at most ${MAX_BODY_HTML} characters`);
  for (const [field, source] of [
    ["subject", content.subject],
    ["body_text", content.bodyText],
    ["body_html", content.bodyHtml],
  ] as const) {
    const check = deps.templates.check(source, allowed);
    if (!check.ok) throw invalidField(field, `${check.reason} (variables of ${key.type}: ${allowed.join(", ")})`);
  }
}

export async function upsertTemplate(
  deps: NotificationsDeps,
  ctx: RequestContext,
  input: TemplateKey & TemplateContent & { readonly expectedVersion: number },
): Promise<Template> {
  requireTenantAdmin(ctx);
  const key = parseKey(input);
  const content = { subject: input.subject, bodyText: input.bodyText, bodyHtml: input.bodyHtml };
  checkTemplate(deps, key, content);
  if (!Number.isSafeInteger(input.expectedVersion) || input.expectedVersion < 0) {
    throw invalidField("expected_version", "must be 0 or more");
  }
  try {
    return overrideTemplate(await deps.store.saveTemplate(ctx.tenantId, key, content, input.expectedVersion, deps.clock.now()));
  } catch (error) {
    // A replay of the request that made the current version answers that version (idempotent).
    if (!isDomainError(error) || error.kind !== "conflict") throw error;
    const current = (await deps.store.overridesOf(ctx.tenantId, key.type, key.channel)).find((t) => t.locale === key.locale);
    const same =
      current?.version === input.expectedVersion + 1 &&
      current.subject === content.subject &&
      current.bodyText === content.bodyText &&
      current.bodyHtml === content.bodyHtml;
    if (same && current) return overrideTemplate(current);
    throw error;
  }
}

export async function deleteTemplate(deps: NotificationsDeps, ctx: RequestContext, input: TemplateKey): Promise<void> {
  requireTenantAdmin(ctx);
  const key = parseKey(input);
  if (!(await deps.store.deleteTemplate(ctx.tenantId, key))) {
    throw notFound("template", `${key.type}/${key.channel}/${key.locale}`, "NOTIFICATIONS.TEMPLATE_NOT_FOUND");
  }
}

/** Overrides, and optionally the built-ins, by type, channel, locale (an override before the built-in it overrides). */
export async function listTemplates(
  deps: NotificationsDeps,
  ctx: RequestContext,
  input: { type?: NotificationType; channel?: Channel; includeBuiltIn: boolean; pageSize?: number; pageToken?: string },
): Promise<Page<Template>> {
  requireTenantAdmin(ctx);
  const filter = { ...(input.type && { type: input.type }), ...(input.channel && { channel: input.channel }) };
  const all: Template[] = (await deps.store.listTemplates(ctx.tenantId, filter)).map(overrideTemplate);
  if (input.includeBuiltIn) {
    for (const key of Object.keys(BUILT_IN_TEMPLATES)) {
      const [type, channel] = key.split("/") as [NotificationType, Channel];
      if ((input.type && input.type !== type) || (input.channel && input.channel !== channel)) continue;
      const builtIn = builtInTemplate(type, channel);
      if (builtIn) all.push(builtIn);
    }
  }
  const sortKey = (t: Template) => `${t.type}\u0000${t.channel}\u0000${t.locale}\u0000${t.source === "tenant" ? 0 : 1}`;
  all.sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0));
  const after = decodePageToken(input.pageToken);
  const start = after === undefined ? 0 : all.findIndex((t) => sortKey(t) > after);
  const size = pageSizeOf(input.pageSize);
  const items = start < 0 ? [] : all.slice(start, start + size);
  const last = items.at(-1);
  const more = start >= 0 && start + size < all.length;
  return { items, nextPageToken: more && last ? encodePageToken(sortKey(last)) : undefined };
}

export async function listDeliveries(
  deps: NotificationsDeps,
  ctx: RequestContext,
  input: DeliveryFilter & { pageSize?: number; pageToken?: string },
): Promise<Page<Delivery>> {
  requireTenantAdmin(ctx);
  return deps.store.listDeliveries(
    ctx.tenantId,
    {
      userId: input.userId || undefined,
      sourceEventId: input.sourceEventId || undefined,
      status: input.status,
      type: input.type,
    },
    pageSizeOf(input.pageSize),
    input.pageToken || undefined,
  );
}

export async function listDeadLetters(
  deps: NotificationsDeps,
  ctx: RequestContext,
  input: { includeRetried: boolean; pageSize?: number; pageToken?: string },
): Promise<Page<{ deadLetter: DeadLetter; delivery: Delivery }>> {
  requireTenantAdmin(ctx);
  return deps.store.listDeadLetters(ctx.tenantId, input.includeRetried, pageSizeOf(input.pageSize), input.pageToken || undefined);
}

/**
 * Sends a dead-lettered notification again as a new delivery (same content and recipient),
 * attempted at once; the retry worker takes over if that attempt fails. A replay returns the
 * delivery of the first retry and sends nothing.
 */
export async function retryDeadLetter(
  deps: NotificationsDeps,
  ctx: RequestContext,
  deadLetterId: string,
): Promise<{ deadLetter: DeadLetter; failed: Delivery; delivery: Delivery }> {
  requireTenantAdmin(ctx);
  if (!deadLetterId || deadLetterId.length > 64) throw invalidField("dead_letter_id", "is required (at most 64 characters)");
  const now = deps.clock.now();
  let created = false;
  const result = await deps.store.retryDeadLetter(
    ctx.tenantId,
    deadLetterId,
    (failed) => {
      created = true;
      return {
        ...failed,
        deliveryId: deps.newId(),
        dedupeKey: `retry:${deadLetterId}`,
        status: "pending",
        attemptCount: 0,
        lastError: "",
        providerMessageId: "",
        createdAt: now,
        sentAt: undefined,
        nextAttemptAt: now,
        leaseUntil: undefined,
      };
    },
    now,
  );
  if (!result) throw notFound("dead letter", deadLetterId, "NOTIFICATIONS.DEAD_LETTER_NOT_FOUND");
  const delivery = created ? await attemptDelivery(deps, ctx, result.retry.deliveryId) : result.retry;
  return { deadLetter: result.deadLetter, failed: result.failed, delivery };
}
