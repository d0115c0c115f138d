import { createHmac, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADER = "stripe-signature";

/** `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`, the Stripe scheme. */
export function signWebhook(secret: string, rawBody: string | Buffer, timestampSeconds: number): string {
  return `t=${timestampSeconds},v1=${hmac(secret, timestampSeconds, rawBody)}`;
}

export type SignatureCheck = "valid" | "malformed" | "mismatch" | "outside_tolerance";

/**
 * Checks a signature header against the RAW body (never a re-serialised one) and the time
 * window: a replayed delivery older (or newer) than `toleranceSeconds` is refused even when
 * its signature is right. Any `v1` entry may match (several during a secret rotation).
 */
export function verifyWebhookSignature(
  secret: string,
  rawBody: Buffer,
  header: string | undefined,
  nowSeconds: number,
  toleranceSeconds: number,
): SignatureCheck {
  if (!header) return "malformed";
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(",")) {
    const [name, value] = part.split("=", 2);
    if (name?.trim() === "t" && value && /^\d{1,12}$/.test(value.trim())) timestamp = Number(value.trim());
    if (name?.trim() === "v1" && value && /^[0-9a-f]{64}$/.test(value.trim())) signatures.push(value.trim());
  }
  if (timestamp === undefined || signatures.length === 0) return "malformed";
  const expected = Buffer.from(hmac(secret, timestamp, rawBody), "hex");
  const matches = signatures.some((signature) => timingSafeEqual(Buffer.from(signature, "hex"), expected));
  if (!matches) return "mismatch";
  return Math.abs(nowSeconds - timestamp) > toleranceSeconds ? "outside_tolerance" : "valid";
}

function hmac(secret: string, timestampSeconds: number, rawBody: string | Buffer): string {
  return createHmac("sha256", secret).update(`${timestampSeconds}.`).update(rawBody).digest("hex");
}
