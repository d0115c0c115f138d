import { OutboxEvent } from "./outbox-event-entity.ts";
import { OutboxRelayLock } from "./outbox-relay-lock-entity.ts";
import { ProcessedEvent } from "./processed-event-entity.ts";

/** Add these to a context's MikroORM `entities` to give it an outbox and a processed-events table. */
export const messagingEntities = [OutboxEvent, OutboxRelayLock, ProcessedEvent];
