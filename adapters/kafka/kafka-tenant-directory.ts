import { fromBinary } from "@bufbuild/protobuf";
import type { Kafka } from "kafkajs";
import type { TenantId } from "../../core/kit/request-context.ts";
import type { TenantDirectory } from "../../core/kit/tenant-directory.ts";
import { TenantCreatedSchema } from "../../gen/shop/events/v1/tenant_events_pb.ts";
import { EventHeader, headerText } from "./kafka-event-envelope.ts";

export interface KafkaTenantDirectory extends TenantDirectory {
  /** Resolves once every tenant event that existed at start has been read. */
  ready(): Promise<void>;
  stop(): Promise<void>;
}

const ACTIVE_AFTER: Record<string, boolean> = {
  "shop.events.v1.TenantCreated": true,
  "shop.events.v1.TenantEnabled": true,
  "shop.events.v1.TenantDisabled": false,
};

/**
 * A process's replica of which tenants are active and of their currencies, built from
 * `tenant-events` (keyed by tenant). Every process reads the whole topic under a group of its
 * own and commits nothing: it is a view, not work to share. Calls are answered from memory.
 * The currency comes from TenantCreated only (a tenant's currency never changes): were the topic
 * ever compacted, a later TenantDisabled/Enabled would erase it (then `currencyOf` is undefined).
 */
export async function startKafkaTenantDirectory(
  kafka: Kafka,
  options: { topic: string; instance: string },
): Promise<KafkaTenantDirectory> {
  const active = new Map<string, boolean>();
  const currencies = new Map<string, string>();
  const admin = kafka.admin();
  await admin.connect();
  const targets = new Map<number, bigint>();
  try {
    for (const { partition, high } of await admin.fetchTopicOffsets(options.topic)) targets.set(partition, BigInt(high));
  } finally {
    await admin.disconnect();
  }
  let markReady: () => void = () => {};
  const caughtUp = new Promise<void>((resolve) => (markReady = resolve));
  const pending = new Set([...targets].filter(([, high]) => high > 0n).map(([partition]) => partition));
  if (pending.size === 0) markReady();

  // A short fetch wait keeps stop() quick; tenant events are rare, so the extra polls cost nothing.
  const consumer = kafka.consumer({
    groupId: `tenant-directory-${options.instance}`,
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: 250,
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [options.topic], fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ partition, message }) => {
      const tenant = headerText(message.headers ?? {}, EventHeader.tenantId);
      const type = headerText(message.headers ?? {}, EventHeader.type) ?? "";
      if (tenant && type in ACTIVE_AFTER) active.set(tenant, ACTIVE_AFTER[type] === true);
      const currency = type === TenantCreatedSchema.typeName ? currencyIn(message.value) : undefined;
      if (tenant && currency) currencies.set(tenant, currency);
      const target = targets.get(partition);
      if (target !== undefined && BigInt(message.offset) + 1n >= target && pending.delete(partition) && pending.size === 0) {
        markReady();
      }
    },
  });
  return {
    isActive: async (tenantId: TenantId) => active.get(tenantId) ?? false,
    currencyOf: async (tenantId: TenantId) => currencies.get(tenantId),
    ready: () => caughtUp,
    stop: () => consumer.disconnect(),
  };
}

/** TenantCreated's currency; undefined when absent or unreadable (the replica must not stall on one bad record). */
function currencyIn(payload: Buffer | null): string | undefined {
  if (!payload) return undefined;
  try {
    return fromBinary(TenantCreatedSchema, payload).currencyCode || undefined;
  } catch {
    return undefined;
  }
}
