import { create, type DescMessage, fromBinary, type MessageInitShape, type MessageShape, toBinary } from "@bufbuild/protobuf";
import { randomId } from "../../core/kit/ids.ts";
import type { IntegrationEvent } from "../../core/kit/integration-event.ts";
import type { RequestContext } from "../../core/kit/request-context.ts";

export interface EventAddress {
  readonly topic: string;
  /** The aggregate id: one key's events keep their order. */
  readonly key: string;
  readonly occurredAt: Date;
}

/** An integration event whose payload is the protobuf message `schema` built from `init`. */
export function encodeEvent<D extends DescMessage>(
  schema: D,
  init: MessageInitShape<D>,
  address: EventAddress,
  ctx: Pick<RequestContext, "tenantId" | "correlationId">,
): IntegrationEvent {
  return {
    id: randomId(),
    type: schema.typeName,
    schemaVersion: 1,
    topic: address.topic,
    key: address.key,
    tenantId: ctx.tenantId,
    correlationId: ctx.correlationId,
    occurredAt: address.occurredAt,
    payload: toBinary(schema, create(schema, init)),
  };
}

/** The payload of `event` as `schema`, or undefined when the event is of another type. */
export function decodeEvent<D extends DescMessage>(schema: D, event: IntegrationEvent): MessageShape<D> | undefined {
  return event.type === schema.typeName ? fromBinary(schema, event.payload) : undefined;
}
