import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { type DomainErrorKind, invalidField, isDomainError } from "../../core/kit/domain-error.ts";
import { randomId } from "../../core/kit/ids.ts";
import { correlationIdFrom, parseTenantId, type TenantId } from "../../core/kit/request-context.ts";
import { SHIPMENT_STATUSES, type ShipmentStatus } from "../../core/shipping/shipment.ts";
import type { StatusUpdateInput } from "../../core/shipping/shipments.ts";
import type { HttpRoute } from "../rpc/rpc-server.ts";

export const CARRIER_WEBHOOK_PATH = "/webhooks/carrier";
export const CARRIER_SIGNATURE_HEADER = "x-carrier-signature";
/** A signed request older (or newer) than this is refused: a captured request cannot be replayed later. */
export const SIGNATURE_TOLERANCE_MS = 5 * 60_000;
const MAX_BODY_BYTES = 64 * 1024;

/** One status report as the carrier posts it (JSON, snake_case). */
export interface CarrierWebhookUpdate {
  readonly tenantId: TenantId;
  readonly correlationId: string;
  readonly trackingNumber: string;
  readonly update: StatusUpdateInput;
}

/**
 * The header value for `body` signed with `secret` at `atMs`: `t=<unix seconds>,v1=<hex>`, where
 * v1 is HMAC-SHA256 over `<t>.<raw body>` (the scheme Stripe uses; the timestamp is signed too).
 */
export function signCarrierWebhook(secret: string, body: string | Uint8Array, atMs: number): string {
  const t = Math.floor(atMs / 1000);
  return `t=${t},v1=${mac(secret, t, Buffer.from(body))}`;
}

function mac(secret: string, t: number, body: Buffer): string {
  return createHmac("sha256", secret).update(`${t}.`).update(body).digest("hex");
}

/** Whether `header` signs `body` with `secret`, within the tolerance of `nowMs`. Constant time on the MAC. */
export function verifyCarrierSignature(secret: string, body: Buffer, header: string | undefined, nowMs: number): boolean {
  if (!header) return false;
  const parts = new Map(header.split(",").map((part) => part.trim().split("=", 2) as [string, string]));
  const t = Number(parts.get("t"));
  const given = parts.get("v1") ?? "";
  if (!Number.isInteger(t) || Math.abs(nowMs - t * 1000) > SIGNATURE_TOLERANCE_MS || !/^[0-9a-f]{64}$/.test(given)) return false;
  return timingSafeEqual(Buffer.from(mac(secret, t, body), "hex"), Buffer.from(given, "hex"));
}

const STATUS_BY_KIND: Partial<Record<DomainErrorKind, number>> = {
  invalid: 400,
  not_found: 404,
  failed_precondition: 409,
  permission_denied: 403,
  unauthenticated: 401,
  conflict: 503,
  unavailable: 503,
  rate_limited: 429,
};

/**
 * `POST /webhooks/carrier`: the carrier's status reports. The raw body must carry a valid
 * `x-carrier-signature` (see signCarrierWebhook) under the shared secret, else 401 and the body is
 * not even parsed. Body: `{"tenant_id", "tracking_number", "event_id", "status" ("IN_TRANSIT"...),
 * "occur_time" (RFC 3339), "location", "description"}`. Answers 204 when recorded (a replayed
 * event id included), 400 naming the field, 404 for an unknown tracking number, 409 for an
 * impossible move, 503 when the carrier should try again later. Unknown failures are left to
 * the server (500, logged).
 */
export function carrierWebhookRoute(options: {
  readonly secret: string;
  readonly now: () => number;
  readonly record: (update: CarrierWebhookUpdate) => Promise<void>;
}): HttpRoute {
  return async (req, res) => {
    if (req.method !== "POST") return void reply(res, 405, { error: "method not allowed" }, { allow: "POST" });
    const body = await readBody(req, MAX_BODY_BYTES);
    if (body === "too large") return void reply(res, 413, { error: "body too large" });
    const signature = req.headers[CARRIER_SIGNATURE_HEADER];
    if (!verifyCarrierSignature(options.secret, body, Array.isArray(signature) ? signature[0] : signature, options.now())) {
      return void reply(res, 401, { error: "bad or missing signature" });
    }
    try {
      const header = req.headers["x-correlation-id"];
      await options.record(parseUpdate(body, correlationIdFrom(Array.isArray(header) ? header[0] : header, randomId)));
      res.writeHead(204).end();
    } catch (error) {
      const status = isDomainError(error) ? STATUS_BY_KIND[error.kind] : undefined;
      if (!status || !isDomainError(error)) throw error;
      reply(res, status, { error: error.message, code: error.code, ...(error.field ? { field: error.field } : {}) });
    }
  };
}

function parseUpdate(body: Buffer, correlationId: string): CarrierWebhookUpdate {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(body.toString("utf8"));
  } catch {
    throw invalidBody("body", "is not JSON");
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw invalidBody("body", "is not a JSON object");
  const text = (name: string) => {
    const value = json[name] ?? "";
    if (typeof value !== "string") throw invalidBody(name, "must be a string");
    return value;
  };
  const statusName = text("status")
    .replace(/^SHIPMENT_STATUS_/, "")
    .toLowerCase();
  const status = SHIPMENT_STATUSES.includes(statusName as ShipmentStatus) ? (statusName as ShipmentStatus) : undefined;
  if (!status) throw invalidBody("status", "is not a shipment status");
  const occurTime = text("occur_time");
  const occurredAt = /^\d{4}-\d{2}-\d{2}T/.test(occurTime) ? new Date(occurTime) : undefined;
  if (!occurredAt || Number.isNaN(occurredAt.getTime())) throw invalidBody("occur_time", "must be an RFC 3339 time");
  return {
    tenantId: parseTenantId(text("tenant_id")),
    correlationId,
    trackingNumber: text("tracking_number"),
    update: {
      status,
      occurredAt,
      location: text("location"),
      description: text("description"),
      carrierEventId: text("event_id"),
    },
  };
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | "too large"> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return "too large";
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function reply(res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

function invalidBody(field: string, reason: string) {
  return invalidField(field, reason, "SHIPPING.BAD_WEBHOOK");
}
