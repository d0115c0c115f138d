import { describe, expect, it } from "vitest";
import type { Channel, NotificationCategory } from "../../../core/notifications/notification-types.ts";
import type { Contact } from "../../../core/notifications/ports.ts";
import { decideChannels, defaultOptIn } from "../../../core/notifications/preference-rules.ts";
import { maskRecipient } from "../../../core/notifications/deliveries.ts";
import { chooseTemplate, localeFallbacks, type StoredTemplate } from "../../../core/notifications/templates.ts";
import type { TenantId } from "../../../core/kit/request-context.ts";

function contact(overrides: Partial<Contact> & { optIns?: Record<string, boolean> } = {}): Contact {
  const optIns = overrides.optIns ?? {};
  return {
    userId: "u-1",
    email: "jane@example.com",
    phoneNumber: "+15550100",
    displayName: "Jane",
    locale: "",
    disabled: false,
    optedIn: (channel: Channel, category: NotificationCategory) =>
      optIns[`${channel}/${category}`] ?? defaultOptIn(channel, category),
    ...overrides,
  };
}

describe("decideChannels", () => {
  it("when the type is required (order receipt), then email goes even to a user who opted out of order updates", () => {
    const decisions = decideChannels("order_confirmed", contact({ optIns: { "email/order_updates": false } }), undefined, true);
    expect(decisions).toEqual([{ channel: "email", status: "pending", recipient: "jane@example.com" }]);
  });

  it("when the user opted out of shipping updates by email, then the shipping mail is skipped as opted out", () => {
    const decisions = decideChannels("order_shipped", contact({ optIns: { "email/shipping_updates": false } }), undefined, true);
    expect(decisions).toEqual([{ channel: "email", status: "skipped_opted_out", recipient: "jane@example.com" }]);
  });

  it("when the user opted in to SMS for shipping and has a phone, then an SMS goes too", () => {
    const decisions = decideChannels("order_shipped", contact({ optIns: { "sms/shipping_updates": true } }), undefined, true);
    expect(decisions.map((d) => [d.channel, d.status])).toEqual([
      ["email", "pending"],
      ["sms", "pending"],
    ]);
  });

  it("SMS is out by default, never for required types, and not without an SMS template", () => {
    expect(decideChannels("order_shipped", contact(), undefined, true).map((d) => d.channel)).toEqual(["email"]);
    const allIn = contact({ optIns: { "sms/order_updates": true, "sms/shipping_updates": true } });
    expect(decideChannels("order_confirmed", allIn, undefined, true).map((d) => d.channel)).toEqual(["email"]);
    expect(decideChannels("order_shipped", allIn, undefined, false).map((d) => d.channel)).toEqual(["email"]);
  });

  it("a disabled user gets required mail only", () => {
    const disabled = contact({ disabled: true });
    expect(decideChannels("order_confirmed", disabled, undefined, true)[0]?.status).toBe("pending");
    expect(decideChannels("order_delivered", disabled, undefined, true)[0]?.status).toBe("skipped_opted_out");
  });

  it("account security goes to the address in the event; no address at all is skipped as no contact", () => {
    expect(decideChannels("password_reset", contact(), "new@example.com", true)).toEqual([
      { channel: "email", status: "pending", recipient: "new@example.com" },
    ]);
    expect(decideChannels("order_delivered", undefined, undefined, true)).toEqual([
      { channel: "email", status: "skipped_no_contact", recipient: "" },
    ]);
  });
});

describe("templates lookup and masking", () => {
  const override = (locale: string): StoredTemplate => ({
    tenantId: "t" as TenantId,
    type: "order_confirmed",
    channel: "email",
    locale,
    subject: `s-${locale}`,
    bodyText: "b",
    bodyHtml: "",
    version: 1,
    updatedAt: new Date(0),
  });

  it("falls back locale -> language -> en, an override before the built-in at each step", () => {
    expect(localeFallbacks("de-CH")).toEqual(["de-CH", "de", "en"]);
    expect(localeFallbacks("not a tag")).toEqual(["en"]);
    expect(chooseTemplate("order_confirmed", "email", "de-CH", [override("de")])?.subject).toBe("s-de");
    expect(chooseTemplate("order_confirmed", "email", "fr", [override("de")])?.source).toBe("built_in");
    expect(chooseTemplate("order_confirmed", "email", "fr", [override("en")])?.subject).toBe("s-en");
    expect(chooseTemplate("password_reset", "sms", "en", [])).toBeUndefined();
  });

  it("masks addresses and phone numbers", () => {
    expect(maskRecipient("email", "jane@example.com")).toBe("j***@example.com");
    expect(maskRecipient("sms", "+15550100")).toBe("+1***0100");
  });
});
