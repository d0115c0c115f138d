import { randomBytes, timingSafeEqual } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "../../adapters/observability/logger.ts";
import { SANDBOX_DECLINE_CODE, sandboxBehaviourOf } from "../../adapters/payment-provider/sandbox-tokens.ts";
import { SIGNATURE_HEADER, signWebhook } from "../../adapters/payment-provider/webhook-signature.ts";

export interface SandboxProviderOptions {
  readonly secretKey: string;
  readonly webhookSecret: string;
  /** Where signed webhooks go (the payment service's /webhooks/payment-provider); absent: none sent. */
  readonly webhookUrl: string | undefined;
  /** tok_success_after_timeout: charges after this long, then answers (keep it above the client's deadline). */
  readonly lateMs: number;
  /** tok_timeout: holds the request this long (or until the client leaves), then answers 500; never charges. */
  readonly hangMs: number;
  readonly logger: Logger;
}

export interface RunningSandboxProvider {
  readonly url: string;
  close(): Promise<void>;
}

interface Intent {
  id: string;
  object: "payment_intent";
  amount: number;
  amount_refunded: number;
  currency: string;
  status: "processing" | "succeeded" | "requires_payment_method";
  metadata: Record<string, string>;
  last_payment_error: { type: string; code: string; decline_code: string } | null;
  created: number;
}

interface StoredAnswer {
  readonly fingerprint: string;
  readonly status: number;
  readonly body: unknown;
  readonly intentId: string | undefined;
}

/**
 * A Stripe-shaped sandbox provider, state in memory: payment intents (create + confirm),
 * retrieval by id, by idempotency key or by order, refunds, the Idempotency-Key rule (same key:
 * same answer, never a second charge; a key in flight: 409), bearer secret key, and signed
 * webhooks. Test tokens: see adapters/payment-provider/sandbox-tokens.ts. `GET /v1/test/charges`
 * tells how many charges an order got.
 */
export async function startSandboxProvider(
  options: SandboxProviderOptions,
  port: number,
  host: string,
): Promise<RunningSandboxProvider> {
  const intents = new Map<string, Intent>();
  const byKey = new Map<string, StoredAnswer>();
  const inFlight = new Map<string, string | undefined>();
  const refundsByKey = new Map<string, StoredAnswer>();
  const charges = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  const expectedAuth = Buffer.from(`Bearer ${options.secretKey}`);
  const newId = (prefix: string) => `${prefix}_${randomBytes(12).toString("hex")}`;
  const wait = (ms: number, signal?: AbortSignal) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      timers.add(timer);
      signal?.addEventListener("abort", done, { once: true });
      function done() {
        clearTimeout(timer);
        timers.delete(timer);
        resolve();
      }
    });

  const sendWebhook = async (type: string, intent: Intent) => {
    if (!options.webhookUrl) return;
    const body = JSON.stringify({ id: newId("evt"), object: "event", type, created: nowSeconds(), data: { object: intent } });
    for (let attempt = 1; attempt <= 5; attempt++) {
      try {
        const response = await fetch(options.webhookUrl, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            [SIGNATURE_HEADER]: signWebhook(options.webhookSecret, body, nowSeconds()),
          },
          body,
          signal: AbortSignal.timeout(5_000),
        });
        if (response.ok) return;
        options.logger.warn({ type, intent: intent.id, status: response.status, attempt }, "webhook refused");
      } catch (err) {
        options.logger.warn({ type, intent: intent.id, attempt, err }, "webhook not delivered");
      }
      await wait(100 * 2 ** attempt);
    }
  };

  const charged = (intent: Intent) => {
    intent.status = "succeeded";
    const order = `${intent.metadata.tenant_id ?? ""}/${intent.metadata.order_id ?? ""}`;
    charges.set(order, (charges.get(order) ?? 0) + 1);
    options.logger.info({ intent: intent.id, amount: intent.amount, currency: intent.currency }, "charged");
  };

  async function createIntent(form: URLSearchParams, key: string, clientGone: AbortSignal): Promise<StoredAnswer | undefined> {
    const fingerprint = form.toString();
    const amount = Number(form.get("amount"));
    const currency = form.get("currency") ?? "";
    const token = form.get("payment_method") ?? "";
    if (!Number.isSafeInteger(amount) || amount <= 0 || !/^[a-z]{3}$/.test(currency) || form.get("confirm") !== "true") {
      return {
        fingerprint,
        status: 400,
        body: stripeError("invalid_request_error", "parameter_invalid", "amount, currency and confirm=true are required"),
        intentId: undefined,
      };
    }
    const metadata: Record<string, string> = {};
    for (const [name, value] of form) {
      const match = /^metadata\[([a-z_]{1,40})\]$/.exec(name);
      if (match?.[1]) metadata[match[1]] = value;
    }
    const behaviour = sandboxBehaviourOf(token);
    if (behaviour === "invalid") {
      return {
        fingerprint,
        status: 400,
        body: stripeError("invalid_request_error", "resource_missing", "No such PaymentMethod"),
        intentId: undefined,
      };
    }
    if (behaviour === "hang") {
      await wait(options.hangMs, clientGone);
      return undefined; // never charged, nothing stored: the key is free again
    }
    const intent: Intent = {
      id: newId("pi"),
      object: "payment_intent",
      amount,
      amount_refunded: 0,
      currency,
      status: "processing",
      metadata,
      last_payment_error: null,
      created: nowSeconds(),
    };
    intents.set(intent.id, intent);
    inFlight.set(key, intent.id);
    if (behaviour === "decline") {
      intent.status = "requires_payment_method";
      intent.last_payment_error = { type: "card_error", code: "card_declined", decline_code: SANDBOX_DECLINE_CODE };
      void sendWebhook("payment_intent.payment_failed", intent);
      return {
        fingerprint,
        status: 402,
        body: {
          error: {
            type: "card_error",
            code: "card_declined",
            decline_code: SANDBOX_DECLINE_CODE,
            message: "Your card has insufficient funds.",
            payment_intent: intent,
          },
        },
        intentId: intent.id,
      };
    }
    if (behaviour === "succeed_late") await wait(options.lateMs);
    charged(intent);
    void sendWebhook("payment_intent.succeeded", intent);
    return { fingerprint, status: 200, body: intent, intentId: intent.id };
  }

  function refund(form: URLSearchParams): Omit<StoredAnswer, "fingerprint"> {
    const intent = intents.get(form.get("payment_intent") ?? "");
    if (!intent)
      return {
        status: 400,
        body: stripeError("invalid_request_error", "resource_missing", "No such payment_intent"),
        intentId: undefined,
      };
    if (intent.status !== "succeeded")
      return {
        status: 400,
        body: stripeError("invalid_request_error", "charge_not_succeeded", "not charged"),
        intentId: intent.id,
      };
    const remaining = intent.amount - intent.amount_refunded;
    const amount = form.has("amount") ? Number(form.get("amount")) : remaining;
    if (!Number.isSafeInteger(amount) || amount <= 0 || amount > remaining) {
      return {
        status: 400,
        body: stripeError("invalid_request_error", "amount_too_large", "refund exceeds what remains"),
        intentId: intent.id,
      };
    }
    intent.amount_refunded += amount;
    options.logger.info({ intent: intent.id, amount }, "refunded");
    return {
      status: 200,
      body: {
        id: newId("re"),
        object: "refund",
        amount,
        currency: intent.currency,
        payment_intent: intent.id,
        status: "succeeded",
      },
      intentId: intent.id,
    };
  }

  const server = http.createServer(async (req, res) => {
    const reply = (status: number, body: unknown) => {
      if (res.writableEnded || res.destroyed) return;
      const text = JSON.stringify(body);
      res.writeHead(status, { "content-type": "application/json", "content-length": String(Buffer.byteLength(text)) }).end(text);
    };
    try {
      const auth = Buffer.from(req.headers.authorization ?? "");
      if (auth.length !== expectedAuth.length || !timingSafeEqual(auth, expectedAuth)) {
        return reply(401, stripeError("invalid_request_error", "api_key_invalid", "Invalid API Key provided"));
      }
      const url = new URL(req.url ?? "/", "http://sandbox");
      const clientGone = new AbortController();
      res.on("close", () => clientGone.abort());
      if (req.method === "POST" && (url.pathname === "/v1/payment_intents" || url.pathname === "/v1/refunds")) {
        const form = new URLSearchParams(await readBody(req));
        const key = String(req.headers["idempotency-key"] ?? newId("key"));
        const store = url.pathname === "/v1/refunds" ? refundsByKey : byKey;
        const known = store.get(key);
        if (known) {
          if (known.fingerprint !== form.toString()) {
            return reply(
              400,
              stripeError(
                "idempotency_error",
                "idempotency_key_in_use",
                "Keys for idempotent requests can only be used with the same parameters",
              ),
            );
          }
          const current = known.intentId ? intents.get(known.intentId) : undefined;
          // A replay answers as the first time, with the intent as it is now.
          if (known.status === 200 && current && url.pathname === "/v1/payment_intents") return reply(200, current);
          return reply(known.status, known.body);
        }
        if (url.pathname === "/v1/refunds") {
          const answer = { fingerprint: form.toString(), ...refund(form) };
          store.set(key, answer);
          return reply(answer.status, answer.body);
        }
        if (inFlight.has(key))
          return reply(409, stripeError("idempotency_error", "idempotency_key_in_use", "A request with this key is in progress"));
        inFlight.set(key, undefined);
        try {
          const answer = await createIntent(form, key, clientGone.signal);
          if (!answer) return reply(500, stripeError("api_error", "timeout", "The sandbox gave up (tok_timeout)"));
          store.set(key, answer);
          return reply(answer.status, answer.body);
        } finally {
          inFlight.delete(key);
        }
      }
      if (req.method === "GET" && url.pathname.startsWith("/v1/payment_intents/")) {
        const intent = intents.get(decodeURIComponent(url.pathname.slice("/v1/payment_intents/".length)));
        return intent
          ? reply(200, intent)
          : reply(404, stripeError("invalid_request_error", "resource_missing", "No such payment_intent"));
      }
      if (req.method === "GET" && url.pathname === "/v1/payment_intents") {
        const key = url.searchParams.get("idempotency_key");
        const orderId = url.searchParams.get("order_id");
        const tenantId = url.searchParams.get("tenant_id");
        let data: Intent[] = [];
        let pending = false;
        if (key) {
          const stored = byKey.get(key);
          const id = stored?.intentId ?? inFlight.get(key);
          const intent = id ? intents.get(id) : undefined;
          data = intent ? [intent] : [];
          pending = inFlight.has(key);
        } else if (orderId) {
          data = [...intents.values()].filter(
            (i) => i.metadata.order_id === orderId && (!tenantId || i.metadata.tenant_id === tenantId),
          );
        }
        return reply(200, { object: "list", data, in_flight: pending });
      }
      if (req.method === "GET" && url.pathname === "/v1/test/charges") {
        const order = `${url.searchParams.get("tenant_id") ?? ""}/${url.searchParams.get("order_id") ?? ""}`;
        return reply(200, { charges: charges.get(order) ?? 0 });
      }
      reply(404, stripeError("invalid_request_error", "unknown_route", "Unrecognized request URL"));
    } catch (err) {
      options.logger.error({ err }, "sandbox request failed");
      reply(500, stripeError("api_error", "internal", "sandbox error"));
    }
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function stripeError(type: string, code: string, message: string) {
  return { error: { type, code, message } };
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 64 * 1024) throw new Error("body too large");
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}
