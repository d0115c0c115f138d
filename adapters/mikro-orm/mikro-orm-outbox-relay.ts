import { type InferEntity, IsolationLevel, LockMode } from "@mikro-orm/core";
import type { SqlEntityManager } from "@mikro-orm/sql";
import { abortableDelay } from "../../core/kit/abortable-delay.ts";
import type { EventPublisher } from "../../core/kit/event-publisher.ts";
import type { IntegrationEvent } from "../../core/kit/integration-event.ts";
import { retryDelayMs } from "../../core/kit/retry-policy.ts";
import { onOutboxCommit } from "./outbox-commit-signal.ts";
import { OutboxEvent } from "./outbox-event-entity.ts";
import { OutboxRelayLock } from "./outbox-relay-lock-entity.ts";

export interface OutboxRelayOptions {
  readonly em: SqlEntityManager;
  readonly publisher: EventPublisher;
  /** Rows published per broker call. */
  readonly batchSize?: number;
  /**
   * Wait between polls once the outbox is empty. A commit through `em` (or its forks) that
   * appended to the outbox wakes the relay at once; the poll finds what other processes wrote.
   */
  readonly pollIntervalMs?: number;
  /** Wake on this process's outbox commits (default true); false: poll only. */
  readonly wakeOnCommit?: boolean;
  /** Wait after a failed batch (broker or database down), doubling up to maxDelayMs. */
  readonly backoff?: { readonly initialDelayMs: number; readonly maxDelayMs: number };
  /** One lock row per outbox table; relays of one outbox share it. */
  readonly lockName?: string;
  readonly onError?: (error: unknown, retryInMs: number) => void;
}

export interface OutboxRelay {
  /**
   * Runs a pass now, or once more after the pass in flight (wake-ups while a pass runs make one
   * more pass, not one each). Commits that appended to the outbox call it themselves.
   */
  wake(): void;
  /** Finishes the batch in flight (published and marked, or rolled back), then resolves. */
  stop(): Promise<void>;
}

const DEFAULT_LOCK = "outbox";

/**
 * Publishes the outbox in sequence order until stopped. Delivery is at least once: a relay
 * that dies after the broker acknowledged a batch but before the mark committed publishes
 * that batch again on restart, and consumers skip the event ids they have seen.
 * Between passes it sleeps `pollIntervalMs`, cut short by a wake-up (`wake()`, or a commit in
 * this process that appended to the outbox); after a failed pass it backs off, wake-ups or not.
 */
export async function startOutboxRelay(options: OutboxRelayOptions): Promise<OutboxRelay> {
  const { em, publisher, batchSize = 100, pollIntervalMs = 200, lockName = DEFAULT_LOCK, onError } = options;
  const backoff = options.backoff ?? { initialDelayMs: 100, maxDelayMs: 10_000 };
  await ensureRelayLock(em, lockName);
  const stopping = new AbortController();
  let woken = false;
  let endSleep: (() => void) | undefined;
  const wake = () => {
    woken = true;
    endSleep?.();
  };
  /** The poll wait; a wake-up or stop() ends it early. */
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        stopping.signal.removeEventListener("abort", done);
        endSleep = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      stopping.signal.addEventListener("abort", done, { once: true });
      endSleep = done;
    });
  const stopListening = options.wakeOnCommit === false ? () => {} : onOutboxCommit(em, wake);
  const loop = (async () => {
    let failures = 0;
    while (!stopping.signal.aborted) {
      woken = false;
      try {
        const published = await publishOutboxBatch(em, publisher, { batchSize, lockName });
        failures = 0;
        if (published < batchSize && !woken && !stopping.signal.aborted) await sleep(pollIntervalMs);
      } catch (error) {
        failures++;
        const delayMs = retryDelayMs(backoff, failures);
        onError?.(error, delayMs);
        await abortableDelay(delayMs, stopping.signal);
      }
    }
  })();
  return {
    wake,
    async stop() {
      stopListening();
      stopping.abort();
      await loop;
    },
  };
}

/**
 * Publishes the oldest unpublished rows, then marks them, in one transaction that first locks
 * the relay's lock row (SELECT ... FOR UPDATE). Relays that share a database therefore take
 * turns batch by batch and never publish out of sequence; a relay that dies mid-batch drops
 * its connection, the database rolls back and releases the lock. On SQLite the lock clause
 * is dropped: SQLite runs one write transaction at a time anyway.
 * Read committed, so that a batch sees the marks the previous holder of the lock committed.
 * Resolves to the number of events published.
 */
export async function publishOutboxBatch(
  em: SqlEntityManager,
  publisher: EventPublisher,
  options: { batchSize: number; lockName?: string },
): Promise<number> {
  const lockName = options.lockName ?? DEFAULT_LOCK;
  return em.fork().transactional(
    async (tx) => {
      const lock = await tx.findOne(OutboxRelayLock, { name: lockName }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!lock) throw new Error(`outbox relay lock row "${lockName}" is missing: start the relay with startOutboxRelay`);
      const rows = await tx.find(OutboxEvent, { publishedAt: null }, { orderBy: { sequence: "asc" }, limit: options.batchSize });
      if (rows.length === 0) return 0;
      await publisher.publish(rows.map(toIntegrationEvent));
      await tx.nativeUpdate(OutboxEvent, { sequence: { $in: rows.map((row) => row.sequence) } }, { publishedAt: new Date() });
      return rows.length;
    },
    { isolationLevel: IsolationLevel.READ_COMMITTED },
  );
}

export async function ensureRelayLock(em: SqlEntityManager, lockName = DEFAULT_LOCK): Promise<void> {
  await em.fork().createQueryBuilder(OutboxRelayLock).insert({ name: lockName }).onConflict("name").ignore().execute("run");
}

/** An outbox row as the event it stores. */
export function toIntegrationEvent(row: InferEntity<typeof OutboxEvent>): IntegrationEvent {
  return {
    id: row.eventId,
    type: row.eventType,
    schemaVersion: row.schemaVersion,
    topic: row.topic,
    key: row.eventKey,
    tenantId: row.tenantId,
    correlationId: row.correlationId,
    occurredAt: row.occurredAt,
    payload: new Uint8Array(row.payload),
  };
}
