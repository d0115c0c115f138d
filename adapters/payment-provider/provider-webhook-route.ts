import type { ProviderLookup } from "../../core/payment/payment-provider.ts";
import type { HttpRoute } from "../rpc/rpc-server.ts";
import { chargeFromIntent, type PaymentIntentJson } from "./stripe-intent.ts";
import { SIGNATURE_HEADER, verifyWebhookSignature } from "./webhook-signature.ts";

export const PAYMENT_WEBHOOK_PATH = "/webhooks/payment-provider";
const MAX_BODY_BYTES = 64 * 1024;

/** A verified provider event about a charge, as the use case needs it. */
export interface ProviderChargeUpdate {
  readonly eventId: string;
  readonly tenantId: string;
  readonly paymentId: string;
  readonly answer: ProviderLookup;
}

export interface ProviderWebhookOptions {
  /** The webhook signing secret (from config, never in the repo). */
  readonly secret: string;
  readonly toleranceSeconds: number;
  readonly now: () => Date;
  /**
   * Applies the update (idempotent). "ignored": not ours or already settled otherwise; the
   * provider is told 200 either way so it stops retrying. A throw answers 500 and the provider retries.
   */
  readonly apply: (update: ProviderChargeUpdate) => Promise<"applied" | "ignored">;
  readonly onRefused?: (reason: string) => void;
}

/**
 * `POST /webhooks/payment-provider`: a Stripe-shaped event signed over the RAW body
 * (`Stripe-Signature: t=..,v1=..`), checked before anything is parsed, within a tolerance window.
 * Bad or stale signatures are 400 and change nothing. Payment intent events feed `apply`.
 */
export function providerWebhookRoute(options: ProviderWebhookOptions): HttpRoute {
  return async (req, res) => {
    const answer = (status: number, text: string) =>
      void res.writeHead(status, { "content-type": "text/plain" }).end(`${text}\n`);
    if (req.method !== "POST") {
      res.writeHead(405, { allow: "POST", "content-type": "text/plain" }).end("method not allowed\n");
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        options.onRefused?.("body too large");
        return answer(413, "too large");
      }
      chunks.push(chunk);
    }
    const raw = Buffer.concat(chunks);
    const header = req.headers[SIGNATURE_HEADER];
    const check = verifyWebhookSignature(
      options.secret,
      raw,
      Array.isArray(header) ? header[0] : header,
      Math.floor(options.now().getTime() / 1000),
      options.toleranceSeconds,
    );
    if (check !== "valid") {
      options.onRefused?.(`signature ${check}`);
      return answer(400, "signature refused");
    }
    let event: { id?: string; type?: string; data?: { object?: PaymentIntentJson } };
    try {
      event = JSON.parse(raw.toString("utf8"));
    } catch {
      options.onRefused?.("body is not JSON");
      return answer(400, "not json");
    }
    const intent = event.data?.object;
    if (!event.type?.startsWith("payment_intent.") || !intent) return answer(200, "ignored");
    const tenantId = intent.metadata?.tenant_id;
    const paymentId = intent.metadata?.payment_id;
    if (!tenantId || !paymentId) return answer(200, "ignored");
    try {
      await options.apply({ eventId: event.id ?? "", tenantId, paymentId, answer: chargeFromIntent(intent) });
    } catch (error) {
      options.onRefused?.(`not applied: ${error instanceof Error ? error.message : "error"}`);
      return answer(500, "try again");
    }
    answer(200, "ok");
  };
}
