import { describe, expect, it } from "vitest";
import { signWebhook, verifyWebhookSignature } from "../../../adapters/payment-provider/webhook-signature.ts";

const secret = "whsec_unit_test_only_0123456789";
const body = Buffer.from('{"id":"evt_1","type":"payment_intent.succeeded"}');
const now = 1_800_000_000;

describe("verifyWebhookSignature", () => {
  it("when the signature covers the raw body within the window, then valid", () => {
    expect(verifyWebhookSignature(secret, body, signWebhook(secret, body, now - 10), now, 300)).toBe("valid");
  });

  it("when one byte of the body changed, or another secret signed, then mismatch", () => {
    const edited = Buffer.from(body.toString().replace("evt_1", "evt_2"));
    expect(verifyWebhookSignature(secret, edited, signWebhook(secret, body, now), now, 300)).toBe("mismatch");
    expect(verifyWebhookSignature(secret, body, signWebhook("whsec_someone_else_000000", body, now), now, 300)).toBe("mismatch");
  });

  it("when the signature is right but older or newer than the tolerance, then outside_tolerance", () => {
    expect(verifyWebhookSignature(secret, body, signWebhook(secret, body, now - 301), now, 300)).toBe("outside_tolerance");
    expect(verifyWebhookSignature(secret, body, signWebhook(secret, body, now + 301), now, 300)).toBe("outside_tolerance");
  });

  it("when the header is absent or garbled, then malformed; a second v1 entry may match (rotation)", () => {
    expect(verifyWebhookSignature(secret, body, undefined, now, 300)).toBe("malformed");
    expect(verifyWebhookSignature(secret, body, "t=abc,v1=xyz", now, 300)).toBe("malformed");
    const rotated = `${signWebhook("whsec_old_secret_000000000", body, now)},${signWebhook(secret, body, now).split(",")[1]}`;
    expect(verifyWebhookSignature(secret, body, rotated, now, 300)).toBe("valid");
  });
});
