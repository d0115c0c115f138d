import { Binary, type IndexDescription } from "mongodb";
import type { IntegrationEvent } from "../../core/kit/integration-event.ts";

/**
 * The single-document outbox. No transactions (FerretDB), so the events an aggregate raises
 * live in its own document, in `outbox_events`, and are written by the very update that changes
 * its state: one document write, atomic on every MongoDB-compatible server. `outbox_rev` grows
 * with every write that adds events (the relay's compare-and-set), `outbox_since` is set while
 * events are pending (the relay's indexed way in). On FerretDB 1.24 (SQLite) an update is a
 * non-atomic read-modify-write of the whole document, so every update of a document carrying an
 * outbox runs under `documentLocks(db).withDocument(collection, _id, ...)` (mongo-insert-lock.ts),
 * the relay's clear included; an insert of a new document needs none.
 */
export const OUTBOX_EVENTS = "outbox_events";
export const OUTBOX_REV = "outbox_rev";
export const OUTBOX_SINCE = "outbox_since";

/** Add to the indexes of every collection whose documents carry an outbox. */
export const outboxIndex: IndexDescription = { key: { [OUTBOX_SINCE]: 1 }, name: "outbox_since" };

export interface PendingEventDocument {
  id: string;
  type: string;
  schema_version: number;
  topic: string;
  key: string;
  tenant_id: string;
  correlation_id: string;
  occurred_at: Date;
  payload: Binary;
}

/** Fields of a new document that starts with `events` pending (spread into insertOne's document). */
export function outboxFieldsForInsert(events: readonly IntegrationEvent[], now: Date): Record<string, unknown> {
  return events.length === 0
    ? { [OUTBOX_EVENTS]: [], [OUTBOX_REV]: 0 }
    : { [OUTBOX_EVENTS]: events.map(toPendingDocument), [OUTBOX_REV]: 1, [OUTBOX_SINCE]: now };
}

/**
 * Update operators that append `events` to the document's outbox; merge them into the update
 * that changes the state (`{ $set: {...state}, ...outboxUpdate(events, now) }`). Uses $push,
 * $inc and $min only, so the caller keeps $set for itself.
 */
export function outboxUpdate(events: readonly IntegrationEvent[], now: Date): Record<string, Record<string, unknown>> {
  if (events.length === 0) return {};
  return {
    $push: { [OUTBOX_EVENTS]: { $each: events.map(toPendingDocument) } },
    $inc: { [OUTBOX_REV]: 1 },
    $min: { [OUTBOX_SINCE]: now },
  };
}

export function toPendingDocument(event: IntegrationEvent): PendingEventDocument {
  return {
    id: event.id,
    type: event.type,
    schema_version: event.schemaVersion,
    topic: event.topic,
    key: event.key,
    tenant_id: event.tenantId,
    correlation_id: event.correlationId,
    occurred_at: event.occurredAt,
    payload: new Binary(event.payload),
  };
}

export function fromPendingDocument(doc: PendingEventDocument): IntegrationEvent {
  return {
    id: doc.id,
    type: doc.type,
    schemaVersion: doc.schema_version,
    topic: doc.topic,
    key: doc.key,
    tenantId: doc.tenant_id,
    correlationId: doc.correlation_id,
    occurredAt: doc.occurred_at,
    payload: new Uint8Array(doc.payload.buffer),
  };
}
