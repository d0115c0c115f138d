import type { IntegrationEvent } from "./integration-event.ts";
import type { RequestContext } from "./request-context.ts";

/**
 * Turns a domain event into the integration event other contexts read. Given to a repository
 * adapter by the composition root (the encoding is protobuf, which the core never sees), so the
 * repository can store state and events in one transaction.
 */
export type EventMapper<E> = (event: E, ctx: RequestContext) => IntegrationEvent;
