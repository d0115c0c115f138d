import type { Collection, Db, Document } from "mongodb";
import { abortableDelay } from "../../core/kit/abortable-delay.ts";
import type { EventPublisher } from "../../core/kit/event-publisher.ts";
import { randomId } from "../../core/kit/ids.ts";
import { retryDelayMs } from "../../core/kit/retry-policy.ts";
import { documentLocks } from "./mongo-insert-lock.ts";
import { fromPendingDocument, OUTBOX_EVENTS, OUTBOX_REV, OUTBOX_SINCE, type PendingEventDocument } from "./mongo-outbox.ts";
import { relayLease } from "./mongo-relay-lease.ts";

export interface MongoOutboxRelayOptions {
  readonly db: Db;
  /** Collections whose documents carry an outbox (see mongo-outbox.ts). */
  readonly collections: readonly string[];
  readonly publisher: EventPublisher;
  /** Documents drained per collection and batch. */
  readonly batchSize?: number;
  readonly pollIntervalMs?: number;
  readonly backoff?: { readonly initialDelayMs: number; readonly maxDelayMs: number };
  /** The lease shared by the relays of one database; a relay that dies loses it after leaseMs. */
  readonly leaseName?: string;
  readonly leaseMs?: number;
  readonly onError?: (error: unknown, retryInMs: number) => void;
}

export interface MongoOutboxRelay {
  /** Finishes the batch in flight, gives the lease up, then resolves. */
  stop(): Promise<void>;
}

interface OutboxCarrier extends Document {
  [OUTBOX_EVENTS]: PendingEventDocument[];
  [OUTBOX_REV]: number;
}

const PROJECTION = { [OUTBOX_EVENTS]: 1, [OUTBOX_REV]: 1 } as const;

/**
 * Publishes the single-document outboxes of `collections` until stopped: at least once, each
 * document's events in the order they were written, one relay at a time (a lease).
 */
export async function startMongoOutboxRelay(options: MongoOutboxRelayOptions): Promise<MongoOutboxRelay> {
  const { db, publisher, batchSize = 100, pollIntervalMs = 100, leaseMs = 15_000, onError } = options;
  const backoff = options.backoff ?? { initialDelayMs: 100, maxDelayMs: 10_000 };
  const lease = relayLease(db, options.leaseName ?? "outbox", `relay-${randomId()}`, leaseMs);
  const stopping = new AbortController();
  const loop = (async () => {
    let failures = 0;
    while (!stopping.signal.aborted) {
      try {
        if (!(await lease.acquire())) {
          await abortableDelay(pollIntervalMs, stopping.signal);
          continue;
        }
        const drained = await publishMongoOutboxBatch(db, options.collections, publisher, { batchSize });
        failures = 0;
        if (drained < batchSize) await abortableDelay(pollIntervalMs, stopping.signal);
      } catch (error) {
        failures++;
        const delayMs = retryDelayMs(backoff, failures);
        onError?.(error, delayMs);
        await abortableDelay(delayMs, stopping.signal);
      }
    }
  })();
  return {
    async stop() {
      stopping.abort();
      await loop;
      await lease.release().catch(() => {});
    },
  };
}

/**
 * One batch: the documents with pending events (oldest first, through the `outbox_since`
 * index), their events published in document order, then exactly the published ones removed.
 * The caller must hold the lease. Resolves to the number of documents drained.
 */
export async function publishMongoOutboxBatch(
  db: Db,
  collections: readonly string[],
  publisher: EventPublisher,
  options: { batchSize: number },
): Promise<number> {
  let drained = 0;
  const locks = documentLocks(db);
  for (const name of collections) {
    const collection = db.collection<OutboxCarrier>(name);
    const carriers = await collection
      .find({ [OUTBOX_SINCE]: { $gt: new Date(0) } }, { projection: PROJECTION })
      .sort({ [OUTBOX_SINCE]: 1, _id: 1 })
      .limit(options.batchSize)
      .toArray();
    if (carriers.length === 0) continue;
    const events = carriers.flatMap((carrier) => carrier[OUTBOX_EVENTS].map(fromPendingDocument));
    if (events.length > 0) await publisher.publish(events);
    for (const carrier of carriers) {
      await locks.withDocument(name, String(carrier._id), () =>
        removePublished(collection, carrier, new Set(carrier[OUTBOX_EVENTS].map((e) => e.id))),
      );
    }
    drained += carriers.length;
  }
  return drained;
}

/**
 * Removes the published events from one document by compare-and-set on `outbox_rev` (FerretDB
 * has no conditional $pull): when a writer appended events meanwhile, re-read and try again,
 * keeping the new ones. After a few lost races the events stay and are published again later
 * (at least once). The caller holds the document lock (mongo-insert-lock.ts): FerretDB 1.24's
 * `updateOne({_id, outbox_rev})` alone is no compare-and-set, and an append racing it was lost.
 */
async function removePublished(collection: Collection<OutboxCarrier>, first: OutboxCarrier, published: ReadonlySet<string>) {
  let carrier: OutboxCarrier | null = first;
  for (let attempt = 0; attempt < 5 && carrier; attempt++) {
    const rest = carrier[OUTBOX_EVENTS].filter((event) => !published.has(event.id));
    const update =
      rest.length === 0 ? { $set: { [OUTBOX_EVENTS]: [] }, $unset: { [OUTBOX_SINCE]: "" } } : { $set: { [OUTBOX_EVENTS]: rest } };
    const result = await collection.updateOne({ _id: carrier._id, [OUTBOX_REV]: carrier[OUTBOX_REV] } as never, update as never);
    if (result.matchedCount === 1) return;
    carrier = await collection.findOne({ _id: carrier._id } as never, { projection: PROJECTION });
  }
}
