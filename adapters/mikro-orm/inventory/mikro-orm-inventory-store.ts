import {
  DeadlockException,
  type InferEntity,
  IsolationLevel,
  LockMode,
  LockWaitTimeoutException,
  UniqueConstraintViolationException,
} from "@mikro-orm/core";
import type { SqlEntityManager } from "@mikro-orm/sql";
import { conflict, DomainError } from "../../../core/kit/domain-error.ts";
import type { EventMapper } from "../../../core/kit/event-mapper.ts";
import { decodePageToken, encodePageToken } from "../../../core/kit/page-token.ts";
import type { RequestContext, TenantId } from "../../../core/kit/request-context.ts";
import type { InventoryEvent } from "../../../core/inventory/inventory-events.ts";
import type {
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
import { appendToOutbox } from "../mikro-orm-outbox.ts";
import {
  InventoryIdempotencyRecord,
  RestockThresholdRecord,
  ReservationRecord,
  StockMovementRecord,
  StockRecord,
} from "./inventory-records.ts";

type StockRow = InferEntity<typeof StockRecord>;
type ReservationRow = InferEntity<typeof ReservationRecord>;
type MovementRow = InferEntity<typeof StockMovementRecord>;

export interface TransactionRetry {
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  /** First back-off; doubled per attempt, with full jitter. */
  readonly baseDelayMs: number;
}

export const DEFAULT_TRANSACTION_RETRY: TransactionRetry = { maxAttempts: 10, baseDelayMs: 2 };

/**
 * Inventory in a SQL database (MariaDB, or SQLite embedded). Each transaction runs at read
 * committed; `lockStock` takes the rows with SELECT ... FOR UPDATE one SKU at a time in the
 * order given (SQLite runs one writer at a time and drops the clause). A deadlock, a lock wait
 * timeout or a duplicate key (two first reservations of one order, two first rows of one SKU)
 * rolls back and runs the work again, up to `retry.maxAttempts`; after that the caller gets
 * ABORTED `INVENTORY.BUSY`, never a database error.
 */
export class MikroOrmInventoryStore implements InventoryStore {
  readonly #em: SqlEntityManager;
  readonly #toEvent: EventMapper<InventoryEvent>;
  readonly #retry: TransactionRetry;
  /** Transactions that needed more than one attempt (for tests and metrics). */
  retries = 0;

  constructor(em: SqlEntityManager, toEvent: EventMapper<InventoryEvent>, retry: TransactionRetry = DEFAULT_TRANSACTION_RETRY) {
    this.#em = em;
    this.#toEvent = toEvent;
    this.#retry = retry;
  }

  async transaction<T>(ctx: RequestContext, work: (tx: InventoryTransaction) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#em
          .fork()
          .transactional((em) => work(this.#tx(em, ctx)), { isolationLevel: IsolationLevel.READ_COMMITTED });
      } catch (error) {
        const retryable =
          error instanceof DeadlockException ||
          error instanceof LockWaitTimeoutException ||
          error instanceof UniqueConstraintViolationException;
        if (!retryable) throw error;
        if (attempt >= this.#retry.maxAttempts) {
          throw new DomainError("conflict", "INVENTORY.BUSY", "inventory is busy with concurrent changes: try again", {
            cause: error,
          });
        }
        this.retries++;
        const delay = Math.random() * this.#retry.baseDelayMs * 2 ** attempt;
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
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
        await em.insert(InventoryIdempotencyRecord, { tenantId, scope, idempotencyKey, fingerprint, response });
      },
      async publish(events) {
        await appendToOutbox(
          em,
          events.map((event) => toEvent(event, ctx)),
        );
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

  async readForReservation(tenantId: TenantId, orderId: string, skus: readonly string[]): Promise<ReservationSnapshot> {
    const em = this.#em.fork();
    const [reservation, rows] = await Promise.all([
      this.findReservation(tenantId, orderId),
      skus.length === 0
        ? []
        : em.execute<SnapshotRow[]>(
            `select s.sku, s.location_id, s.on_hand, s.reserved, s.version, s.updated_at, t.restock_threshold
               from inventory_stock s
               left join inventory_thresholds t on t.tenant_id = s.tenant_id and t.sku = s.sku
              where s.tenant_id = ? and s.sku in (${skus.map(() => "?").join(", ")})`,
            [tenantId, ...skus],
            "all",
          ),
    ]);
    const thresholds = new Map<string, number>();
    const levels: StockLevel[] = rows
      .map((row) => {
        if (row.restock_threshold !== null) thresholds.set(row.sku, Number(row.restock_threshold));
        return {
          sku: row.sku,
          locationId: row.location_id,
          onHand: Number(row.on_hand),
          reserved: Number(row.reserved),
          version: Number(row.version),
          updatedAt: new Date(row.updated_at),
        };
      })
      .sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : a.locationId < b.locationId ? -1 : 1));
    return { reservation, levels, thresholds };
  }

  async findReservation(tenantId: TenantId, orderId: string): Promise<Reservation | undefined> {
    const row = await this.#em.fork().findOne(ReservationRecord, { tenantId, orderId }, { disableIdentityMap: true });
    return row ? toReservation(row) : undefined;
  }

  async listReservations(
    tenantId: TenantId,
    query: { status?: ReservationStatus; sku?: string; pageSize: number; pageToken?: string },
  ): Promise<Page<Reservation>> {
    const after = decodePageToken(query.pageToken);
    const rows = await this.#em.fork().find(
      ReservationRecord,
      {
        tenantId,
        ...(query.status ? { status: query.status } : {}),
        // `%` and `_` in a SKU widen the match; the exact check below narrows it again.
        ...(query.sku ? { skus: { $like: `%,${query.sku},%` } } : {}),
        ...(after ? { sequence: { $lt: Number(after) } } : {}),
      },
      { orderBy: { sequence: "desc" }, limit: query.pageSize + 1, disableIdentityMap: true },
    );
    const page = rows.slice(0, query.pageSize);
    const last = page.at(-1);
    return {
      items: page.map(toReservation).filter((r) => !query.sku || r.lines.some((l) => l.sku === query.sku)),
      nextPageToken: rows.length > query.pageSize && last ? encodePageToken(String(last.sequence)) : undefined,
    };
  }

  async listMovements(
    tenantId: TenantId,
    query: { sku: string; locationId?: string; pageSize: number; pageToken?: string },
  ): Promise<Page<StockMovement>> {
    const after = decodePageToken(query.pageToken);
    const rows = await this.#em.fork().find(
      StockMovementRecord,
      {
        tenantId,
        sku: query.sku,
        ...(query.locationId ? { locationId: query.locationId } : {}),
        ...(after ? { sequence: { $lt: Number(after) } } : {}),
      },
      { orderBy: { sequence: "desc" }, limit: query.pageSize + 1, disableIdentityMap: true },
    );
    const page = rows.slice(0, query.pageSize);
    const last = page.at(-1);
    return {
      items: page.map(toMovement),
      nextPageToken: rows.length > query.pageSize && last ? encodePageToken(String(last.sequence)) : undefined,
    };
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

interface SnapshotRow {
  sku: string;
  location_id: string;
  on_hand: number | string;
  reserved: number | string;
  version: number | string;
  updated_at: Date | string | number;
  restock_threshold: number | string | null;
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

function toReservationFields(r: Reservation) {
  return {
    orderId: r.orderId,
    reservationId: r.id,
    status: r.status,
    lines: JSON.stringify(r.lines),
    shortLines: JSON.stringify(r.shortLines),
    skus: `,${[...new Set(r.lines.map((l) => l.sku))].join(",")},`,
    createdAt: r.createdAt,
    expiresAt: r.expiresAt,
    updatedAt: r.updatedAt,
    releaseReason: r.releaseReason ?? null,
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
