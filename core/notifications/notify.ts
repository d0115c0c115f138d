import { retryDelayMs } from "../kit/retry-policy.ts";
import type { RequestContext, TenantId } from "../kit/request-context.ts";
import { type Delivery, errorText, maskRecipient, messageIdOf, type RenderedContent } from "./deliveries.ts";
import type { NotificationEvent } from "./notification-events.ts";
import type { Channel, NotificationRequest, SourceEvent } from "./notification-types.ts";
import { isAccountSecurity } from "./notification-types.ts";
import type { NotificationsDeps } from "./notifications-deps.ts";
import type { Contact, TemplateEngine } from "./ports.ts";
import { decideChannels } from "./preference-rules.ts";
import { builtInTemplate, chooseTemplate, MAX_SMS_CHARS, type Template } from "./templates.ts";

/**
 * Turns one event into deliveries, once: each channel's delivery row is written (unique on
 * tenant, event id, channel) BEFORE anything is sent, so a redelivered event finds it and sends
 * nothing. New pending deliveries get their first attempt at once; failures are retried by
 * `runDueDeliveries`. Throws only when the contact directory cannot answer (the event is then
 * redelivered by the consumer).
 */
export async function acceptNotification(
  deps: NotificationsDeps,
  ctx: RequestContext,
  source: SourceEvent,
  request: NotificationRequest,
): Promise<Delivery[]> {
  const contact = isAccountSecurity(request.type) || !request.userId ? undefined : await deps.contacts.find(ctx, request.userId);
  const locale = request.locale || contact?.locale || undefined;
  const variables = {
    display_name: request.displayName || contact?.displayName || "",
    tenant_id: ctx.tenantId,
    ...request.variables,
  };
  const smsOverrides = await deps.store.overridesOf(ctx.tenantId, request.type, "sms");
  const hasSms = chooseTemplate(request.type, "sms", locale, smsOverrides) !== undefined;
  const now = deps.clock.now();
  const deliveries: Delivery[] = [];
  for (const decision of decideChannels(request.type, contact, request.email, hasSms)) {
    const content =
      decision.status === "pending"
        ? await renderFor(deps, ctx.tenantId, request.type, decision.channel, locale, variables, smsOverrides)
        : undefined;
    const delivery: Delivery = {
      deliveryId: deps.newId(),
      tenantId: ctx.tenantId,
      dedupeKey: source.id,
      sourceEventId: source.id,
      sourceEventType: source.type,
      type: request.type,
      channel: decision.channel,
      userId: request.userId,
      recipient: decision.status === "pending" ? decision.recipient : "",
      recipientMasked: maskRecipient(decision.channel, decision.recipient),
      status: decision.status,
      attemptCount: 0,
      lastError: "",
      providerMessageId: "",
      createdAt: now,
      sentAt: undefined,
      nextAttemptAt: decision.status === "pending" ? now : undefined,
      leaseUntil: undefined,
      content,
    };
    const added = await deps.store.addDelivery(ctx, delivery);
    if (added.created && added.delivery.status === "pending") {
      deliveries.push(await attemptDelivery(deps, ctx, added.delivery.deliveryId));
    } else deliveries.push(added.delivery);
  }
  return deliveries;
}

async function renderFor(
  deps: NotificationsDeps,
  tenantId: TenantId,
  type: NotificationRequest["type"],
  channel: Channel,
  locale: string | undefined,
  variables: Readonly<Record<string, string>>,
  smsOverrides: Awaited<ReturnType<NotificationsDeps["store"]["overridesOf"]>>,
): Promise<RenderedContent> {
  const overrides = channel === "sms" ? smsOverrides : await deps.store.overridesOf(tenantId, type, channel);
  const chosen = chooseTemplate(type, channel, locale, overrides);
  try {
    if (chosen) return renderTemplate(deps.templates, chosen, variables);
  } catch {
    // an override that no longer renders: the built-in one still does
  }
  const builtIn = builtInTemplate(type, channel);
  if (!builtIn) throw new Error(`no template for ${type}/${channel}`);
  return renderTemplate(deps.templates, builtIn, variables);
}

export function renderTemplate(
  engine: TemplateEngine,
  template: Template,
  variables: Readonly<Record<string, string>>,
): RenderedContent {
  const text = engine.render(template.bodyText, variables, "none");
  if (template.channel === "sms") return { subject: "", text: text.slice(0, MAX_SMS_CHARS), html: "" };
  return {
    subject: engine
      .render(template.subject, variables, "none")
      .replace(/[\r\n]+/g, " ")
      .trim(),
    text,
    html: template.bodyHtml ? engine.render(template.bodyHtml, variables, "html") : "",
  };
}

/**
 * One attempt at a delivery: claim it (a lease, so two workers never send it at the same
 * time), send it with a Message-ID derived from the delivery id, record the result. A crash
 * after the provider accepted and before the result is recorded leaves the delivery pending
 * with a lease; once the lease expires it is sent again, with the same Message-ID: at most one
 * duplicate per such crash, recognisable downstream. After `retry.maxAttempts` failures the
 * delivery is dead-lettered.
 */
export async function attemptDelivery(deps: NotificationsDeps, ctx: RequestContext, deliveryId: string): Promise<Delivery> {
  const now = deps.clock.now();
  const claimed = await deps.store.claimDelivery(ctx.tenantId, deliveryId, now, new Date(now.getTime() + deps.policy.leaseMs));
  if (!claimed) {
    const current = await deps.store.findDelivery(ctx.tenantId, deliveryId);
    if (!current) throw new Error(`delivery ${deliveryId} vanished`);
    return current;
  }
  const attempt = claimed.attemptCount + 1;
  let providerMessageId: string;
  try {
    providerMessageId = await send(deps, claimed);
  } catch (error) {
    const at = deps.clock.now();
    const last = attempt >= deps.policy.retry.maxAttempts;
    const message = errorText(error);
    const delivery: Delivery = {
      ...claimed,
      status: last ? "dead_lettered" : "retrying",
      attemptCount: attempt,
      lastError: message,
      nextAttemptAt: last ? undefined : new Date(at.getTime() + retryDelayMs(deps.policy.retry, attempt)),
      leaseUntil: undefined,
    };
    const events: NotificationEvent[] = [{ type: "NotificationFailed", delivery, error: message, deadLettered: last }];
    const deadLetter = last
      ? {
          deadLetterId: deps.newId(),
          tenantId: claimed.tenantId,
          deliveryId: claimed.deliveryId,
          failureReason: `${attempt} attempts failed; last: ${message}`,
          createdAt: at,
          retryDeliveryId: "",
          retriedAt: undefined,
        }
      : undefined;
    await deps.store.recordAttempt(ctx, { delivery, deadLetter, events });
    return delivery;
  }
  const delivery: Delivery = {
    ...claimed,
    status: "sent",
    attemptCount: attempt,
    providerMessageId,
    sentAt: deps.clock.now(),
    nextAttemptAt: undefined,
    leaseUntil: undefined,
    content: undefined,
  };
  await deps.store.recordAttempt(ctx, { delivery, events: [{ type: "NotificationSent", delivery }] });
  return delivery;
}

async function send(deps: NotificationsDeps, delivery: Delivery): Promise<string> {
  const content = delivery.content;
  if (!content) throw new Error("nothing to send: the rendered content is gone");
  const messageId = messageIdOf(delivery.deliveryId);
  if (delivery.channel === "email") {
    const sent = await deps.email.send({
      messageId,
      to: delivery.recipient,
      subject: content.subject,
      text: content.text,
      html: content.html,
    });
    return sent.providerMessageId;
  }
  return (await deps.sms.send({ messageId, to: delivery.recipient, text: content.text })).providerMessageId;
}

/**
 * The retry worker's tick: every due delivery (pending after a crash, retrying after a
 * failure) of any tenant gets one attempt. Returns how many were attempted.
 */
export async function runDueDeliveries(
  deps: NotificationsDeps,
  contextOf: (tenantId: TenantId) => RequestContext,
  limit = 50,
): Promise<number> {
  const due = await deps.store.dueDeliveries(deps.clock.now(), limit);
  for (const { tenantId, deliveryId } of due) {
    await attemptDelivery(deps, contextOf(tenantId), deliveryId);
  }
  return due.length;
}

export type { Contact };
