import type { EntityManager } from "@mikro-orm/core";
import type { EventMapper } from "../../core/kit/event-mapper.ts";
import type { IntegrationEvent } from "../../core/kit/integration-event.ts";
import type { RequestContext } from "../../core/kit/request-context.ts";
import { noteOutboxAppend } from "./outbox-commit-signal.ts";
import { OutboxEvent } from "./outbox-event-entity.ts";

/**
 * Appends events to the outbox through the caller's transaction, so they commit (or roll
 * back) with the state change that caused them. Call it inside `em.transactional(...)`.
 * Once that transaction commits, the relay of this process publishes at once (`onOutboxCommit`).
 */
export async function appendToOutbox(em: EntityManager, events: readonly IntegrationEvent[]): Promise<void> {
  if (!em.isInTransaction()) {
    throw new Error("appendToOutbox needs the entity manager of an open transaction (em.transactional)");
  }
  if (events.length === 0) return;
  await em.insertMany(
    OutboxEvent,
    events.map((event) => ({
      eventId: event.id,
      topic: event.topic,
      eventKey: event.key,
      eventType: event.type,
      schemaVersion: event.schemaVersion,
      tenantId: event.tenantId,
      correlationId: event.correlationId,
      occurredAt: event.occurredAt,
      payload: Buffer.from(event.payload.buffer, event.payload.byteOffset, event.payload.byteLength),
      publishedAt: null,
    })),
  );
  noteOutboxAppend(em);
}

/** `appendToOutbox` of domain events, each mapped to its integration event with `toEvent` in `ctx`. */
export async function appendMappedToOutbox<E>(
  em: EntityManager,
  toEvent: EventMapper<E>,
  ctx: RequestContext,
  events: readonly E[],
): Promise<void> {
  await appendToOutbox(
    em,
    events.map((event) => toEvent(event, ctx)),
  );
}
