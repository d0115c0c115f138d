import { abortableDelay } from "../../core/kit/abortable-delay.ts";
import type { EventConsumer, RunningSubscription, Subscription } from "../../core/kit/event-consumer.ts";
import { deliverEvent } from "../../core/kit/event-delivery.ts";
import type { EventPublisher } from "../../core/kit/event-publisher.ts";
import type { IntegrationEvent } from "../../core/kit/integration-event.ts";

/**
 * The in-process bus of the embedded mode, with the Kafka adapter's contract: each topic is
 * split into partitions by `${tenantId}/${key}`, a group reads each partition in order and
 * commits after handling, a group that subscribes again resumes at its committed offsets,
 * and an event that keeps failing is parked in `deadLetters`.
 */
export interface MemoryEventBus {
  readonly publisher: EventPublisher;
  readonly consumer: EventConsumer;
  deadLetters(topic: string): readonly MemoryDeadLetter[];
}

export interface MemoryDeadLetter {
  readonly event: IntegrationEvent;
  readonly reason: string;
  readonly attempts: number;
  readonly originalTopic: string;
  readonly originalPartition: number;
  readonly originalOffset: number;
  readonly consumerGroup: string;
}

interface Partition {
  /** Offset of entries[0]; entries every known group has committed are dropped. */
  base: number;
  entries: IntegrationEvent[];
  wake: Set<() => void>;
}

/** Wait this long before reading a partition again after the processed-events store failed. */
const STORE_FAILURE_PAUSE_MS = 500;

export function createMemoryEventBus(options: { partitions?: number } = {}): MemoryEventBus {
  const partitionCount = options.partitions ?? 4;
  const topics = new Map<string, Partition[]>();
  /** group -> topic -> next offset per partition */
  const committed = new Map<string, Map<string, number[]>>();
  const activeMembers = new Set<string>();
  const deadLetters = new Map<string, MemoryDeadLetter[]>();

  const partitionsOf = (topic: string): Partition[] => {
    let partitions = topics.get(topic);
    if (!partitions) {
      partitions = Array.from({ length: partitionCount }, () => ({ base: 0, entries: [], wake: new Set() }));
      topics.set(topic, partitions);
    }
    return partitions;
  };

  const offsetsOf = (group: string, topic: string): number[] => {
    const byTopic = committed.get(group) ?? new Map<string, number[]>();
    committed.set(group, byTopic);
    const offsets = byTopic.get(topic) ?? partitionsOf(topic).map((p) => p.base);
    byTopic.set(topic, offsets);
    return offsets;
  };

  const dropConsumedEntries = (topic: string, index: number) => {
    const partition = partitionsOf(topic)[index] as Partition;
    let lowest = Number.POSITIVE_INFINITY;
    for (const byTopic of committed.values()) {
      const offsets = byTopic.get(topic);
      if (offsets) lowest = Math.min(lowest, offsets[index] as number);
    }
    if (lowest > partition.base && Number.isFinite(lowest)) {
      partition.entries.splice(0, lowest - partition.base);
      partition.base = lowest;
    }
  };

  const publisher: EventPublisher = {
    async publish(events) {
      for (const event of events) {
        const index = partitionFor(`${event.tenantId}/${event.key}`, partitionCount);
        const partition = partitionsOf(event.topic)[index] as Partition;
        partition.entries.push(event);
        for (const wake of partition.wake) wake();
      }
    },
  };

  const consumePartition = async (subscription: Subscription, topic: string, index: number, stopping: AbortSignal) => {
    const partition = partitionsOf(topic)[index] as Partition;
    const offsets = offsetsOf(subscription.group, topic);
    while (!stopping.aborted) {
      const offset = offsets[index] as number;
      const event = partition.entries[offset - partition.base];
      if (!event) {
        await new Promise<void>((resolve) => {
          const wake = () => {
            partition.wake.delete(wake);
            stopping.removeEventListener("abort", wake);
            resolve();
          };
          partition.wake.add(wake);
          stopping.addEventListener("abort", wake, { once: true });
        });
        continue;
      }
      let result: Awaited<ReturnType<typeof deliverEvent>>;
      try {
        result = await deliverEvent(event, subscription, { stopping });
      } catch {
        // The processed-events store failed: nothing was committed, so read the event again.
        await abortableDelay(STORE_FAILURE_PAUSE_MS, stopping);
        continue;
      }
      if (result.kind === "abandoned") return;
      if (result.kind === "dead-letter") {
        const parked = deadLetters.get(topic) ?? [];
        parked.push({
          event,
          reason: result.reason,
          attempts: result.attempts,
          originalTopic: topic,
          originalPartition: index,
          originalOffset: offset,
          consumerGroup: subscription.group,
        });
        deadLetters.set(topic, parked);
      }
      offsets[index] = offset + 1;
      dropConsumedEntries(topic, index);
    }
  };

  const consumer: EventConsumer = {
    async subscribe(subscription): Promise<RunningSubscription> {
      const members = subscription.topics.map((topic) => `${subscription.group}\u0000${topic}`);
      if (members.some((member) => activeMembers.has(member))) {
        throw new Error(`group ${subscription.group} already consumes one of ${subscription.topics.join(", ")} in this process`);
      }
      for (const member of members) activeMembers.add(member);
      const stopping = new AbortController();
      const workers = subscription.topics.flatMap((topic) =>
        Array.from({ length: partitionCount }, (_, index) => consumePartition(subscription, topic, index, stopping.signal)),
      );
      let stopped: Promise<void> | undefined;
      return {
        stop() {
          stopped ??= (async () => {
            stopping.abort();
            await Promise.all(workers);
            for (const member of members) activeMembers.delete(member);
          })();
          return stopped;
        },
      };
    },
  };

  return { publisher, consumer, deadLetters: (topic) => deadLetters.get(topic) ?? [] };
}

/** FNV-1a: stable, cheap, spreads short keys well enough for a handful of partitions. */
function partitionFor(key: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % partitions;
}
