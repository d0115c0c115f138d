import type { IntegrationEvent } from "../../../../core/kit/integration-event.ts";

let counter = 0;

/** An event with every envelope field set; the payload is the text of `body` (default: the id). */
export function testEvent(topic: string, overrides: Partial<IntegrationEvent> & { body?: string } = {}): IntegrationEvent {
  const { body, ...fields } = overrides;
  const id = fields.id ?? `evt-${process.pid}-${Date.now().toString(36)}-${++counter}`;
  return {
    id,
    type: "shop.events.v1.OrderCreated",
    schemaVersion: 1,
    topic,
    key: "order-1",
    tenantId: "acme",
    correlationId: `corr-${id}`,
    occurredAt: new Date("2026-03-01T12:34:56.789Z"),
    payload: new TextEncoder().encode(body ?? id),
    ...fields,
  };
}

export const bodyOf = (event: IntegrationEvent) => new TextDecoder().decode(event.payload);
