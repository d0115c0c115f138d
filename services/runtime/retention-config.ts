import { z } from "zod";

const HOUR = 60 * 60_000;
const DAY = 24 * HOUR;

/** How a context's retention sweeper runs and what it keeps (docs: "Retention" in each context's page). */
export interface RetentionSettings {
  /** Wait between sweeps (the first comes after a random half to whole of it, so replicas spread out). */
  readonly intervalMs: number;
  /** Rows per delete; a full batch is followed by the next at once. */
  readonly batchSize: number;
  /** How long a row outlives its own expiry (sessions, tokens, snapshots, holds, carts). */
  readonly expiredGraceMs: number;
  /** How long a stored idempotent answer is replayed at least. */
  readonly idempotencyWindowMs: number;
  /** How long a consumer's dedupe mark is kept: longer than any topic keeps its events. */
  readonly processedEventsMs: number;
  /** How long a published outbox row is kept (for inspection; the relay reads only unpublished ones). */
  readonly publishedOutboxMs: number;
}

export const DEFAULT_RETENTION_SETTINGS: RetentionSettings = {
  intervalMs: 10 * 60_000,
  batchSize: 500,
  expiredGraceMs: DAY,
  idempotencyWindowMs: 7 * DAY,
  processedEventsMs: 14 * DAY,
  publishedOutboxMs: 7 * DAY,
};

const D = DEFAULT_RETENTION_SETTINGS;
const int = (min: number, max: number, fallback: number) => z.coerce.number().int().min(min).max(max).default(fallback);

/** The variables every relational context process reads for its sweeper. */
export const retentionConfigFields = {
  SHOPMESH_RETENTION_INTERVAL_SECONDS: int(10, 86_400, D.intervalMs / 1_000),
  SHOPMESH_RETENTION_BATCH_SIZE: int(1, 10_000, D.batchSize),
  SHOPMESH_RETENTION_EXPIRED_GRACE_HOURS: int(1, 24 * 365, D.expiredGraceMs / HOUR),
  SHOPMESH_RETENTION_IDEMPOTENCY_DAYS: int(1, 3_650, D.idempotencyWindowMs / DAY),
  // At least the broker's topic retention (7 days in mesh/infra): a redelivered event must find its mark.
  SHOPMESH_RETENTION_PROCESSED_EVENTS_DAYS: int(7, 3_650, D.processedEventsMs / DAY),
  SHOPMESH_RETENTION_PUBLISHED_OUTBOX_DAYS: int(1, 3_650, D.publishedOutboxMs / DAY),
};

type RetentionConfig = { [K in keyof typeof retentionConfigFields]: number };

export function retentionSettingsOf(config: RetentionConfig): RetentionSettings {
  return {
    intervalMs: config.SHOPMESH_RETENTION_INTERVAL_SECONDS * 1_000,
    batchSize: config.SHOPMESH_RETENTION_BATCH_SIZE,
    expiredGraceMs: config.SHOPMESH_RETENTION_EXPIRED_GRACE_HOURS * HOUR,
    idempotencyWindowMs: config.SHOPMESH_RETENTION_IDEMPOTENCY_DAYS * DAY,
    processedEventsMs: config.SHOPMESH_RETENTION_PROCESSED_EVENTS_DAYS * DAY,
    publishedOutboxMs: config.SHOPMESH_RETENTION_PUBLISHED_OUTBOX_DAYS * DAY,
  };
}

/**
 * The document contexts (catalog, reviews on FerretDB/MongoDB): a batch there is a scan of the
 * collection, not an index read, so sweeps are rare and each deletes a bounded number of batches.
 */
export interface DocumentRetentionSettings
  extends Pick<RetentionSettings, "intervalMs" | "batchSize" | "expiredGraceMs" | "processedEventsMs"> {
  /** Batches per kind per sweep at most; a larger backlog goes over the next sweeps. */
  readonly maxBatchesPerSweep: number;
}

export const DEFAULT_DOCUMENT_RETENTION_SETTINGS: DocumentRetentionSettings = {
  intervalMs: HOUR,
  // A batch costs about one scan whatever its size (measured: 500 and 2,000 alike), so larger ones.
  batchSize: 1_000,
  expiredGraceMs: D.expiredGraceMs,
  processedEventsMs: D.processedEventsMs,
  maxBatchesPerSweep: 10,
};

const DD = DEFAULT_DOCUMENT_RETENTION_SETTINGS;

/** The variables a document context process reads for its sweeper (same names, other defaults). */
export const documentRetentionConfigFields = {
  SHOPMESH_RETENTION_INTERVAL_SECONDS: int(10, 86_400, DD.intervalMs / 1_000),
  SHOPMESH_RETENTION_BATCH_SIZE: int(1, 10_000, DD.batchSize),
  SHOPMESH_RETENTION_MAX_BATCHES_PER_SWEEP: int(1, 1_000, DD.maxBatchesPerSweep),
  SHOPMESH_RETENTION_EXPIRED_GRACE_HOURS: retentionConfigFields.SHOPMESH_RETENTION_EXPIRED_GRACE_HOURS,
  SHOPMESH_RETENTION_PROCESSED_EVENTS_DAYS: retentionConfigFields.SHOPMESH_RETENTION_PROCESSED_EVENTS_DAYS,
};

type DocumentRetentionConfig = { [K in keyof typeof documentRetentionConfigFields]: number };

export function documentRetentionSettingsOf(config: DocumentRetentionConfig): DocumentRetentionSettings {
  return {
    intervalMs: config.SHOPMESH_RETENTION_INTERVAL_SECONDS * 1_000,
    batchSize: config.SHOPMESH_RETENTION_BATCH_SIZE,
    maxBatchesPerSweep: config.SHOPMESH_RETENTION_MAX_BATCHES_PER_SWEEP,
    expiredGraceMs: config.SHOPMESH_RETENTION_EXPIRED_GRACE_HOURS * HOUR,
    processedEventsMs: config.SHOPMESH_RETENTION_PROCESSED_EVENTS_DAYS * DAY,
  };
}
