/**
 * An event that crosses a context boundary. The payload is the protobuf encoding of a
 * message in proto/shop/events/v1; everything else travels as Kafka headers (or the
 * in-process bus's equivalent), so a consumer can route, dedupe and trace without decoding.
 */
export interface IntegrationEvent {
  /** Unique per event; consumers skip an id they have processed. */
  readonly id: string;
  /** Fully-qualified protobuf message name, e.g. `shop.events.v1.OrderCreated`. */
  readonly type: string;
  readonly schemaVersion: number;
  /** e.g. `order-events`. */
  readonly topic: string;
  /** The aggregate id: events with one key are delivered in the order they were written. */
  readonly key: string;
  readonly tenantId: string;
  readonly correlationId: string;
  readonly occurredAt: Date;
  readonly payload: Uint8Array;
}
