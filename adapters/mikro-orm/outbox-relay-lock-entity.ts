import { defineEntity, p } from "@mikro-orm/core";

/** One row per outbox; a relay holds it FOR UPDATE while it publishes a batch. */
export const OutboxRelayLock = defineEntity({
  name: "OutboxRelayLock",
  tableName: "outbox_relay_lock",
  properties: {
    name: p.string().length(64).primary(),
  },
});
