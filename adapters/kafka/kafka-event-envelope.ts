import type { IHeaders, KafkaMessage, Message } from "kafkajs";
import type { IntegrationEvent } from "../../core/kit/integration-event.ts";

/** The envelope travels as headers, so consumers route, dedupe and trace without decoding the payload. */
export const EventHeader = {
  id: "event-id",
  type: "event-type",
  schemaVersion: "schema-version",
  tenantId: "tenant-id",
  correlationId: "correlation-id",
  occurredAt: "occurred-at",
} as const;

/** Tenant first: one aggregate's events share a partition, and two tenants never share a key. */
export function messageKey(event: Pick<IntegrationEvent, "tenantId" | "key">): string {
  return `${event.tenantId}/${event.key}`;
}

export const deadLetterTopic = (topic: string) => `${topic}.dlq`;

export function toKafkaMessage(event: IntegrationEvent): Message {
  return {
    key: messageKey(event),
    value: Buffer.from(event.payload.buffer, event.payload.byteOffset, event.payload.byteLength),
    headers: {
      [EventHeader.id]: event.id,
      [EventHeader.type]: event.type,
      [EventHeader.schemaVersion]: String(event.schemaVersion),
      [EventHeader.tenantId]: event.tenantId,
      [EventHeader.correlationId]: event.correlationId,
      [EventHeader.occurredAt]: event.occurredAt.toISOString(),
    },
  };
}

export class MalformedEnvelopeError extends Error {
  override readonly name = "MalformedEnvelopeError";
}

/** Rebuilds the event from a consumed message; throws MalformedEnvelopeError when it cannot. */
export function eventFromKafkaMessage(topic: string, message: Pick<KafkaMessage, "key" | "value" | "headers">): IntegrationEvent {
  const headers = message.headers ?? {};
  const tenantId = header(headers, EventHeader.tenantId);
  const key = message.key?.toString("utf8") ?? "";
  const prefix = `${tenantId}/`;
  if (!key.startsWith(prefix)) throw new MalformedEnvelopeError(`message key "${key}" does not start with "${prefix}"`);
  const schemaVersion = Number(header(headers, EventHeader.schemaVersion));
  if (!Number.isSafeInteger(schemaVersion)) throw new MalformedEnvelopeError("header schema-version is not an integer");
  const occurredAt = new Date(header(headers, EventHeader.occurredAt));
  if (Number.isNaN(occurredAt.getTime())) throw new MalformedEnvelopeError("header occurred-at is not an ISO-8601 instant");
  return {
    id: header(headers, EventHeader.id),
    type: header(headers, EventHeader.type),
    schemaVersion,
    topic,
    key: key.slice(prefix.length),
    tenantId,
    correlationId: header(headers, EventHeader.correlationId),
    occurredAt,
    payload: new Uint8Array(message.value ?? Buffer.alloc(0)),
  };
}

/** A header as text; kafkajs hands consumed headers over as Buffers. */
export function headerText(headers: IHeaders, name: string): string | undefined {
  const value = headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}

function header(headers: IHeaders, name: string): string {
  const value = headerText(headers, name);
  if (!value) throw new MalformedEnvelopeError(`header ${name} is missing`);
  return value;
}
