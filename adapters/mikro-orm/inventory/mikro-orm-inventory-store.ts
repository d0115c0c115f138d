import { type InferEntity, LockMode } from "@mikro-orm/core";
import type { SqlEntityManager } from "@mikro-orm/sql";
import { conflict, DomainError } from "../../../core/kit/domain-error.ts";
import type { EventMapper } from "../../../core/kit/event-mapper.ts";
import type { RequestContext, TenantId } from "../../../core/kit/request-context.ts";
import type { InventoryEvent } from "../../../core/inventory/inventory-events.ts";
import type {
  GuessedReservation,
  InventoryStore,
  InventoryTransaction,
  LowStockEntry,
  Page,
  ReservationSnapshot,
  StockAfterReserve,
} from "../../../core/inventory/inventory-store.ts";
import type { ReleaseReason, Reservation, ReservationStatus } from "../../../core/inventory/reservation.ts";
import type { StockLevel } from "../../../core/inventory/stock-level.ts";
import type { AdjustmentReason, MovementKind, StockMovement } from "../../../core/inventory/stock-movement.ts";
import { reserveOnGuessInTransaction } from "../../../core/inventory/guess-in-transaction.ts";
import { appendMappedToOutbox } from "../mikro-orm-outbox.ts";
import { afterSequence, sequencePage } from "../sequence-page.ts";
import { DEFAULT_TRANSACTION_RETRY, readCommittedTransaction, type TransactionRetry } from "../transaction-retry.ts";
import { type GuessCounters, type GuessRequest, runGuessBatch } from "./guess-batches.ts";
import {
  InventoryIdempotencyRecord,
  RestockThresholdRecord,
  ReservationRecord,
  StockMovementRecord,
  StockRecord,
} from "./inventory-records.ts";
import { MicroBatcher } from "./micro-batcher.ts";
import { readSnapshots, type SnapshotRequest } from "./reservation-snapshots.ts";
import { toReservationFields } from "./reservation-writes.ts";

type StockRow = InferEntity<typeof StockRecord>;
type ReservationRow = InferEntity<typeof ReservationRecord>;
type MovementRow = InferEntity<typeof StockMovementRecord>;

/** Test seams of the store; none is set outside tests. */
export interface InventoryStoreTestHooks {
  /**
   * MariaDB's guessed reservations: called with their batch's transaction open on its
   * connection, after the reservations, the stock updates, the ledger and the outbox rows were
   * written and before the COMMIT (the crash point `SHOPMESH_TEST_CRASH_BEFORE_RESERVE_COMMIT` of
   * `services/inventory/inventory-module.ts`). With it set, no prediction is sent: the first
   * statement only locks and reads, the writes and the commit come in statements of their own.
   */
  readonly beforeGuessedCommit?: () => void | Promise<void>;
}

/** How guessed reservations and their snapshots are grouped on MariaDB. */
export interface GroupCommitOptions {
  /** Most reservation lines in one batch (a larger reservation still runs, alone). */
  readonly maxLines: number;
  /** Batches of guessed reservations running at once. */
  readonly maxInFlight: number;
  /** Snapshot reads (one query each, any number of reservations up to `maxLines` lines) running at once. */
  readonly maxSnapshotsInFlight: number;
  /** Attempts of a batch on deadlocks (or an order reserved meanwhile) before its members give way to the locked path. */
  readonly maxAttempts: number;
}

export const DEFAULT_GROUP_COMMIT: GroupCommitOptions = { maxLines: 64, maxInFlight: 2, maxSnapshotsInFlight: 2, maxAttempts: 3 };

/**
 * Inventory in a SQL database (MariaDB, or SQLite embedded). Each transaction runs at read
 * committed; `lockStock` takes the rows with SELECT ... FOR UPDATE one SKU at a time in the
 * order given (SQLite runs one writer at a time and drops the clause). A deadlock, a lock wait
 * timeout or a duplicate key (two first reservations of one order, two first rows of one SKU)
 * rolls back and runs the work again, up to `retry.maxAttempts`; after that the caller gets
 * ABORTED `INVENTORY.BUSY`, never a database error. Reservation snapshots and (on MariaDB)
 * guessed reservations are grouped: see `readForReservation` and `reserveOnGuess`.
 */
export class MikroOrmInventoryStore implements InventoryStore, GuessCounters {
  readonly #em: SqlEntityManager;
  readonly #toEvent: EventMapper<InventoryEvent>;
  readonly #retry: TransactionRetry;
  readonly #snapshots: MicroBatcher<SnapshotRequest, ReservationSnapshot>;
  readonly #guesses: MicroBatcher<GuessRequest, boolean>;
  /** Transactions and batches that needed more than one attempt (for tests and metrics). */
  retries = 0;
  /** Guessed reservations that gave way to the locked path (for tests and metrics). */
  guessesGivenWay = 0;
  /**
   * Guessed reservations committed by their batch's first statement, the snapshots' prediction
   * holding for the whole batch (for tests and metrics).
   */
  guessesCommittedAtOnce = 0;
  /** Batches of guessed reservations run, and the reservations in them (for tests and metrics). */
  guessBatches = 0;
  guessBatchMembers = 0;

  constructor(
    em: SqlEntityManager,
    toEvent: EventMapper<InventoryEvent>,
    retry: TransactionRetry = DEFAULT_TRANSACTION_RETRY,
    hooks: InventoryStoreTestHooks = {},
    grouping: GroupCommitOptions = DEFAULT_GROUP_COMMIT,
  ) {
    this.#em = em;
    this.#toEvent = toEvent;
    this.#retry = retry;
    const env = {
      em,
      toEvent,
      beforeCommit: hooks.beforeGuessedCommit,
      counters: this,
      maxAttempts: grouping.maxAttempts,
      baseDelayMs: retry.baseDelayMs,
    };
    this.#guesses = new MicroBatcher((requests) => runGuessBatch(env, requests), {
      maxWeight: grouping.maxLines,
      maxInFlight: grouping.maxInFlight,
      weigh: (request) => request.guess.reservation.lines.length,
    });
    this.#snapshots = new MicroBatcher((requests) => readSnapshots(em, requests), {
      maxWeight: grouping.maxLines,
      maxInFlight: grouping.maxSnapshotsInFlight,
      weigh: (request) => Math.max(1, request.skus.length),
    });
  }

  async transaction<T>(ctx: RequestContext, work: (tx: InventoryTransaction) => Promise<T>): Promise<T> {
    return readCommittedTransaction(this.#em, (em) => work(this.#tx(em, ctx)), {
      retry: this.#retry,
      onRetry: () => {
        this.retries++;
      },
      busy: (cause) =>
        new DomainError("conflict", "INVENTORY.BUSY", "inventory is busy with concurrent changes: try again", { cause }),
    });
  }

  #tx(em: SqlEntityManager, ctx: RequestContext): InventoryTransaction {
    const tenantId = ctx.tenantId;
    const toEvent = this.#toEvent;
    return {
      async lockStock(skus) {
        const levels: StockLevel[] = [];
        for (const sku of skus) {
          const rows = await em.find(
            StockRecord,
            { tenantId, sku },
            { lockMode: LockMode.PESSIMISTIC_WRITE, orderBy: { locationId: "asc" }, disableIdentityMap: true },
          );
          levels.push(...rows.map(toLevel));
        }
        return levels;
      },
      async reserveIfAvailable(lines, at) {
        const after: StockAfterReserve[] = [];
        for (const line of lines) {
          const row = await reserveRow(em, tenantId, line.sku, line.locationId, line.quantity, at);
          if (!row) return undefined;
          after.push({ sku: line.sku, locationId: line.locationId, ...row });
        }
        return after;
      },
      async saveStock(levels) {
        for (const level of levels) {
          const row = { tenantId, ...toStockFields(level) };
          if (level.version === 1) {
            await em.insert(StockRecord, row);
            continue;
          }
          const changed = await em.nativeUpdate(
            StockRecord,
            { tenantId, sku: level.sku, locationId: level.locationId, version: level.version - 1 },
            toStockFields(level),
          );
          if (changed !== 1) throw conflict("INVENTORY.CONCURRENT_UPDATE", `stock of ${level.sku} changed meanwhile`);
        }
      },
      thresholds: (skus) => readThresholds(em, tenantId, skus),
      async setThreshold(sku, restockThreshold) {
        await em
          .createQueryBuilder(RestockThresholdRecord)
          .insert({ tenantId, sku, restockThreshold })
          .onConflict(["tenantId", "sku"])
          .merge(["restockThreshold"])
          .execute("run");
      },
      async lockReservation(orderId) {
        const row = await em.findOne(
          ReservationRecord,
          { tenantId, orderId },
          { lockMode: LockMode.PESSIMISTIC_WRITE, disableIdentityMap: true },
        );
        return row ? toReservation(row) : undefined;
      },
      async addReservation(reservation) {
        await em.insert(ReservationRecord, { tenantId, ...toReservationFields(reservation) });
      },
      async updateReservation(reservation) {
        await em.nativeUpdate(ReservationRecord, { tenantId, orderId: reservation.orderId }, toReservationFields(reservation));
      },
      async recordMovements(movements) {
        if (movements.length === 0) return;
        await em.insertMany(
          StockMovementRecord,
          movements.map((m) => ({
            movementId: m.id,
            tenantId,
            sku: m.sku,
            locationId: m.locationId,
            kind: m.kind,
            adjustmentReason: m.adjustmentReason ?? null,
            onHandDelta: m.onHandDelta,
            reservedDelta: m.reservedDelta,
            onHandAfter: m.onHandAfter,
            reservedAfter: m.reservedAfter,
            orderId: m.orderId ?? null,
            actorUserId: m.actorUserId ?? null,
            note: m.note ?? null,
            occurredAt: m.occurredAt,
          })),
        );
      },
      async findIdempotent(scope, idempotencyKey) {
        const row = await em.findOne(
          InventoryIdempotencyRecord,
          { tenantId, scope, idempotencyKey },
          { disableIdentityMap: true },
        );
        return row ? { fingerprint: row.fingerprint, response: row.response } : undefined;
      },
      async saveIdempotent(scope, idempotencyKey, fingerprint, response) {
        // Wall time, as processed marks and published outbox rows: the port hands no instant in.
        const createdAt = new Date();
        await em.insert(InventoryIdempotencyRecord, { tenantId, scope, idempotencyKey, fingerprint, response, createdAt });
      },
      async publish(events) {
        await appendMappedToOutbox(em, toEvent, ctx, events);
      },
    };
  }

  async readStock(tenantId: TenantId, skus: readonly string[]): Promise<StockLevel[]> {
    if (skus.length === 0) return [];
    const rows = await this.#em
      .fork()
      .find(
        StockRecord,
        { tenantId, sku: { $in: [...skus] } },
        { orderBy: { sku: "asc", locationId: "asc" }, disableIdentityMap: true },
      );
    return rows.map(toLevel);
  }

  readThresholds(tenantId: TenantId, skus: readonly string[]): Promise<Map<string, number>> {
    return readThresholds(this.#em.fork(), tenantId, skus);
  }

  /** Concurrent calls share one query (`readSnapshots`). */
  readForReservation(tenantId: TenantId, skus: readonly string[]): Promise<ReservationSnapshot> {
    return this.#snapshots.add({ tenantId, skus });
  }

  /**
   * SQLite: through the generic transaction, one at a time. MariaDB: group commit. Guesses
   * handed in while batches are running (or in the same turn of the event loop) go together in
   * one transaction (`runGuessBatch`): the batch's stock rows locked in lock order, then, when the
   * rows are as the snapshots predicted and no order is reserved yet, every reservation, stock
   * row, ledger row and event written with multi-row statements and committed in the same
   * statement; otherwise each member decided on the locked rows in arrival order and written by
   * a second statement. Each member is all or nothing on its own: one whose line no longer fits,
   * or whose order already has a reservation, leaves nothing and gives way to the locked path.
   */
  async reserveOnGuess(ctx: RequestContext, guess: GuessedReservation): Promise<boolean> {
    if (this.#em.getPlatform().usesReturningStatement()) return reserveOnGuessInTransaction(this, ctx, guess);
    return this.#guesses.add({ ctx, guess });
  }

  async findReservation(tenantId: TenantId, orderId: string): Promise<Reservation | undefined> {
    const row = await this.#em.fork().findOne(ReservationRecord, { tenantId, orderId }, { disableIdentityMap: true });
    return row ? toReservation(row) : undefined;
  }

  async listReservations(
    tenantId: TenantId,
    query: { status?: ReservationStatus; sku?: string; pageSize: number; pageToken?: string },
  ): Promise<Page<Reservation>> {
    const rows = await this.#em.fork().find(
      ReservationRecord,
      {
        tenantId,
        ...(query.status ? { status: query.status } : {}),
        // `%` and `_` in a SKU widen the match; the exact check below narrows it again.
        ...(query.sku ? { skus: { $like: `%,${query.sku},%` } } : {}),
        ...afterSequence(query.pageToken),
      },
      { orderBy: { sequence: "desc" }, limit: query.pageSize + 1, disableIdentityMap: true },
    );
    return sequencePage(rows, query.pageSize, (page) =>
      page.map(toReservation).filter((r) => !query.sku || r.lines.some((l) => l.sku === query.sku)),
    );
  }

  async listMovements(
    tenantId: TenantId,
    query: { sku: string; locationId?: string; pageSize: number; pageToken?: string },
  ): Promise<Page<StockMovement>> {
    const rows = await this.#em.fork().find(
      StockMovementRecord,
      {
        tenantId,
        sku: query.sku,
        ...(query.locationId ? { locationId: query.locationId } : {}),
        ...afterSequence(query.pageToken),
      },
      { orderBy: { sequence: "desc" }, limit: query.pageSize + 1, disableIdentityMap: true },
    );
    return sequencePage(rows, query.pageSize, (page) => page.map(toMovement));
  }

  async lowStock(tenantId: TenantId): Promise<LowStockEntry[]> {
    const rows: { sku: string; restock_threshold: number; on_hand: number | string; reserved: number | string }[] = await this.#em
      .getConnection()
      .execute(
        `select t.sku, t.restock_threshold, coalesce(sum(s.on_hand), 0) as on_hand, coalesce(sum(s.reserved), 0) as reserved
           from inventory_thresholds t
           left join inventory_stock s on s.tenant_id = t.tenant_id and s.sku = t.sku
          where t.tenant_id = ? and t.restock_threshold > 0
          group by t.sku, t.restock_threshold
         having coalesce(sum(s.on_hand - s.reserved), 0) <= t.restock_threshold`,
        [tenantId],
      );
    return rows.map((row) => ({
      sku: row.sku,
      restockThreshold: Number(row.restock_threshold),
      onHand: Number(row.on_hand),
      reserved: Number(row.reserved),
    }));
  }

  async dueForExpiry(now: Date, limit: number): Promise<{ tenantId: TenantId; orderId: string }[]> {
    const rows = await this.#em
      .fork()
      .find(
        ReservationRecord,
        { status: "reserved", expiresAt: { $lte: now } },
        { orderBy: { expiresAt: "asc" }, limit, fields: ["tenantId", "orderId"], disableIdentityMap: true },
      );
    return rows.map((row) => ({ tenantId: row.tenantId as TenantId, orderId: row.orderId }));
  }
}

/** On hand fits in 24 bits (MAX_ON_HAND < 2^24), so on hand and reserved travel in one number. */
const PACK = 2 ** 24;

/**
 * One conditional update of one stock row: reserved goes up by `quantity` only where available
 * covers it. Resolves to the row's on hand and reserved after the change, or undefined when it
 * did not fit (or the row does not exist). MariaDB has no UPDATE ... RETURNING: the new values
 * come back in the same round trip through LAST_INSERT_ID(expr), whose value the server returns
 * as the statement's insert id (on hand * 2^24 + reserved). SQLite uses RETURNING.
 */
async function reserveRow(
  em: SqlEntityManager,
  tenantId: string,
  sku: string,
  locationId: string,
  quantity: number,
  at: Date,
): Promise<{ onHand: number; reserved: number } | undefined> {
  const where = "where tenant_id = ? and sku = ? and location_id = ? and on_hand - reserved >= ?";
  const updatedAt = em.getPlatform().processDateProperty(at);
  if (em.getPlatform().usesReturningStatement()) {
    const rows = await em.execute<{ on_hand: number; reserved: number }[]>(
      `update inventory_stock set reserved = reserved + ?, version = version + 1, updated_at = ? ${where} returning on_hand, reserved`,
      [quantity, updatedAt, tenantId, sku, locationId, quantity],
      "all",
    );
    const row = rows[0];
    return row ? { onHand: Number(row.on_hand), reserved: Number(row.reserved) } : undefined;
  }
  const result = await em.execute<{ affectedRows: number; insertId: number }>(
    `update inventory_stock
        set reserved = last_insert_id(on_hand * ${PACK} + reserved + ?) - on_hand * ${PACK},
            version = version + 1, updated_at = ? ${where}`,
    [quantity, updatedAt, tenantId, sku, locationId, quantity],
    "run",
  );
  if (result.affectedRows !== 1) return undefined;
  const packed = Number(result.insertId);
  return { onHand: Math.floor(packed / PACK), reserved: packed % PACK };
}

async function readThresholds(em: SqlEntityManager, tenantId: TenantId, skus: readonly string[]): Promise<Map<string, number>> {
  if (skus.length === 0) return new Map();
  const rows = await em.find(RestockThresholdRecord, { tenantId, sku: { $in: [...skus] } }, { disableIdentityMap: true });
  return new Map(rows.map((row) => [row.sku, row.restockThreshold]));
}

function toStockFields(level: StockLevel) {
  return {
    sku: level.sku,
    locationId: level.locationId,
    onHand: level.onHand,
    reserved: level.reserved,
    version: level.version,
    updatedAt: level.updatedAt,
  };
}

function toLevel(row: StockRow): StockLevel {
  return {
    sku: row.sku,
    locationId: row.locationId,
    onHand: row.onHand,
    reserved: row.reserved,
    version: row.version,
    updatedAt: row.updatedAt,
  };
}

function toReservation(row: ReservationRow): Reservation {
  return {
    id: row.reservationId,
    orderId: row.orderId,
    status: row.status as ReservationStatus,
    lines: JSON.parse(row.lines),
    shortLines: JSON.parse(row.shortLines),
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    updatedAt: row.updatedAt,
    releaseReason: (row.releaseReason ?? undefined) as ReleaseReason | undefined,
  };
}

function toMovement(row: MovementRow): StockMovement {
  return {
    id: row.movementId,
    sku: row.sku,
    locationId: row.locationId,
    kind: row.kind as MovementKind,
    adjustmentReason: (row.adjustmentReason ?? undefined) as AdjustmentReason | undefined,
    onHandDelta: row.onHandDelta,
    reservedDelta: row.reservedDelta,
    onHandAfter: row.onHandAfter,
    reservedAfter: row.reservedAfter,
    orderId: row.orderId ?? undefined,
    actorUserId: row.actorUserId ?? undefined,
    note: row.note ?? undefined,
    occurredAt: row.occurredAt,
  };
}
