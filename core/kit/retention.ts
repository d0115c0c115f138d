/**
 * Retention: records that are useful for a bounded time (expired sessions, spent tokens,
 * idempotency answers, dedupe marks) and are deleted once that time is over. A policy says, for
 * one kind of record, how long a row is kept after the instant its stamp holds (its expiry, or
 * when it was written); a store deletes the rows stamped before the policy's cutoff, a batch at
 * a time.
 */
export interface RetentionPolicy {
  /** The record kind, as logs and tests name it (`auth_sessions`). */
  readonly kind: string;
  /** What the stamp is: "expiry" (the row is dead from then on) or "written" (its window opens then). */
  readonly stamp: "expiry" | "written";
  /** How long a row is kept after its stamp. */
  readonly keepMs: number;
}

const HOUR = 60 * 60_000;
const DAY = 24 * HOUR;

/**
 * The least a policy may keep, per stamp: an expired row outlives its expiry by an hour at
 * least (clocks of the processes that read it may lag), a row stamped when written is kept a day
 * at least (idempotency windows and dedupe marks promised to callers and brokers are longer).
 */
export const MIN_KEEP_MS: Readonly<Record<RetentionPolicy["stamp"], number>> = { expiry: HOUR, written: DAY };

/** A policy, refused when it would keep rows less than `MIN_KEEP_MS` (a misconfiguration, not a choice). */
export function retentionPolicy(kind: string, stamp: RetentionPolicy["stamp"], keepMs: number): RetentionPolicy {
  if (!Number.isSafeInteger(keepMs) || keepMs < MIN_KEEP_MS[stamp]) {
    throw new RangeError(`retention of ${kind}: keep at least ${MIN_KEEP_MS[stamp]} ms after the ${stamp} stamp, not ${keepMs}`);
  }
  return { kind, stamp, keepMs };
}

/** Rows stamped strictly before this instant are expired at `now`. */
export function retentionCutoff(policy: RetentionPolicy, now: Date): Date {
  return new Date(now.getTime() - policy.keepMs);
}

export function isExpiredRecord(policy: RetentionPolicy, stampedAt: Date, now: Date): boolean {
  return stampedAt.getTime() < retentionCutoff(policy, now).getTime();
}

/** Port: one kind of record in one store. */
export interface ExpiredRecords {
  /**
   * Deletes at most `limit` rows stamped before `cutoff` (and what belongs to them). `found` is
   * how many it picked, `deleted` how many it removed (fewer when another sweeper was first).
   */
  deleteBefore(cutoff: Date, limit: number): Promise<{ readonly found: number; readonly deleted: number }>;
}

export interface RetentionTarget {
  readonly policy: RetentionPolicy;
  readonly records: ExpiredRecords;
  /**
   * At most this many batches per sweep (default: until a batch comes back short). For stores
   * where a batch is a scan (FerretDB): a backlog goes over several sweeps, each of bounded cost.
   */
  readonly maxBatchesPerSweep?: number;
}

export interface SweepOptions {
  readonly now: Date;
  readonly batchSize: number;
  /** Stops between batches. */
  readonly signal?: AbortSignal;
  /** Called per kind that failed; the sweep goes on with the next kind. */
  readonly onError?: (kind: string, error: unknown) => void;
}

/**
 * One sweep: for every target, batches of `batchSize` are deleted as long as a batch comes back
 * full and deleted something (at most the target's `maxBatchesPerSweep`), all against the
 * cutoff of `now` (rows that expire during the sweep wait for the next one). Resolves to the
 * rows deleted per kind.
 */
export async function sweepExpired(targets: readonly RetentionTarget[], options: SweepOptions): Promise<Record<string, number>> {
  if (!Number.isSafeInteger(options.batchSize) || options.batchSize < 1) throw new RangeError("batchSize must be at least 1");
  const deleted: Record<string, number> = {};
  for (const { policy, records, maxBatchesPerSweep = Number.POSITIVE_INFINITY } of targets) {
    const cutoff = retentionCutoff(policy, options.now);
    let count = 0;
    try {
      for (let batches = 0; batches < maxBatchesPerSweep && !options.signal?.aborted; batches++) {
        const batch = await records.deleteBefore(cutoff, options.batchSize);
        count += batch.deleted;
        // A full batch of which nothing went was taken by another sweeper (or moved on): let it finish.
        if (batch.found < options.batchSize || batch.deleted === 0) break;
      }
    } catch (error) {
      options.onError?.(policy.kind, error);
    }
    deleted[policy.kind] = count;
    if (options.signal?.aborted) break;
  }
  return deleted;
}
