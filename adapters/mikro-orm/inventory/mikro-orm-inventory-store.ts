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
import { signalOutboxCommit } from "../outbox-commit-signal.ts";
import { afterSequence, sequencePage } from "../sequence-page.ts";
import {
  DEFAULT_TRANSACTION_RETRY,
  isLockConflictOrDuplicate,
  readCommittedTransaction,
  type TransactionRetry,
} from "../transaction-retry.ts";
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

/** Test seams of the store; none is set outside tests. */
export interface InventoryStoreTestHooks {
  /**
   * MariaDB's guessed reservation: called with its transaction open on its connection, after the
   * reservation, the stock updates, the ledger and the outbox rows were written and before the
   * COMMIT (the crash point `SHOPMESH_TEST_CRASH_BEFORE_RESERVE_COMMIT` of
   * `services/inventory/inventory-module.ts`). With it set, the prediction is not sent: the
   * commit then comes in a statement of its own instead of inside the first one.
   */
  readonly beforeGuessedCommit?: () => void | Promise<void>;
}

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
  readonly #hooks: InventoryStoreTestHooks;
  /** Transactions that needed more than one attempt (for tests and metrics). */
  retries = 0;
  /** Guessed reservations that gave way to the locked path (for tests and metrics). */
  guessesGivenWay = 0;
  /** Guessed reservations committed in one statement, the snapshot's prediction holding (for tests and metrics). */
  guessesCommittedAtOnce = 0;

  constructor(
    em: SqlEntityManager,
    toEvent: EventMapper<InventoryEvent>,
    retry: TransactionRetry = DEFAULT_TRANSACTION_RETRY,
    hooks: InventoryStoreTestHooks = {},
  ) {
    this.#em = em;
    this.#toEvent = toEvent;
    this.#retry = retry;
    this.#hooks = hooks;
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
        await em.insert(InventoryIdempotencyRecord, { tenantId, scope, idempotencyKey, fingerprint, response });
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

  async readForReservation(tenantId: TenantId, skus: readonly string[]): Promise<ReservationSnapshot> {
    const rows =
      skus.length === 0
        ? []
        : await this.#em.getConnection().execute<SnapshotRow[]>(
            `select s.sku, s.location_id, s.on_hand, s.reserved, s.version, s.updated_at, t.restock_threshold
               from inventory_stock s
               left join inventory_thresholds t on t.tenant_id = s.tenant_id and t.sku = s.sku
              where s.tenant_id = ? and s.sku in (${skus.map(() => "?").join(", ")})`,
            [tenantId, ...skus],
            "all",
          );
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
    return { levels, thresholds };
  }

  /**
   * SQLite: through the generic transaction. MariaDB: on one pooled connection, with compound
   * statements (`BEGIN NOT ATOMIC ... END`: one statement each, so no multi-statement flag).
   * The first: READ COMMITTED, START TRANSACTION, the reservation insert (a replay fails on its
   * unique key), the conditional updates in lock order, each run only while the earlier ones
   * applied; then the changed rows are compared with what the snapshot predicted (exact: this
   * transaction holds their locks). When they match (no one else touched them since the
   * snapshot, the usual case), the ledger rows and events computed for the prediction are
   * inserted and committed in the same statement: one round trip after the snapshot. When they
   * do not, the rows come back, `complete` computes the ledger and events on them, and a second
   * statement inserts them and commits. A line that no longer fits, a duplicate order, a
   * deadlock or a lock wait timeout rolls back and gives way to the locked path.
   */
  async reserveOnGuess(ctx: RequestContext, guess: GuessedReservation): Promise<boolean> {
    const platform = this.#em.getPlatform();
    if (platform.usesReturningStatement()) return reserveOnGuessInTransaction(this, ctx, guess);
    const connection = this.#em.getConnection();
    const driver = this.#em.getDriver();
    const tenantId = ctx.tenantId;
    const { reservation } = guess;
    const lines = reservation.lines;
    const date = (d: Date) => platform.processDateProperty(d);
    const at = date(reservation.createdAt);
    const beforeCommit = this.#hooks.beforeGuessedCommit;
    const predicted =
      !beforeCommit && guess.predicted.length === lines.length ? this.#writes(ctx, guess.complete(guess.predicted)) : undefined;
    return connection
      .getClient()
      .connection()
      .execute(async (client) => {
        let committed = false;
        try {
          const first = await connection.execute<unknown[]>(
            guessedReservationSql(lines.length, predicted?.sql),
            [
              ...reservationValues(tenantId, reservation, date),
              ...lines.flatMap((l) => [l.quantity, at, tenantId, l.sku, l.locationId, l.quantity]),
              ...(predicted
                ? [
                    tenantId,
                    ...guess.predicted.flatMap((a) => [a.sku, a.locationId, a.onHand, a.reserved]),
                    lines.length,
                    ...predicted.params,
                  ]
                : []),
              tenantId,
              ...lines.flatMap((l) => [l.sku, l.locationId]),
            ],
            "all",
            client,
          );
          const rows = Array.isArray(first[0]) ? (first[0] as (AfterRow | { outcome: string })[]) : undefined;
          if (!rows) {
            this.guessesGivenWay++;
            return false;
          }
          if (rows.length === 1 && "outcome" in (rows[0] as object)) {
            committed = true;
            this.guessesCommittedAtOnce++;
            if (predicted?.outboxRows) signalOutboxCommit(this.#em);
            return true;
          }
          const after = lines.map((line) => {
            const row = (rows as AfterRow[]).find((r) => r.sku === line.sku && r.location_id === line.locationId);
            if (!row) throw new Error(`stock row ${line.sku}/${line.locationId} vanished under its lock`);
            return { sku: line.sku, locationId: line.locationId, onHand: Number(row.on_hand), reserved: Number(row.reserved) };
          });
          const writes = this.#writes(ctx, guess.complete(after));
          if (beforeCommit) {
            await connection.execute(`begin not atomic ${writes.sql} end`, writes.params, "run", client);
            await beforeCommit();
            await connection.execute("commit", [], "run", client);
          } else {
            await connection.execute(`begin not atomic ${writes.sql} commit; end`, writes.params, "run", client);
          }
          committed = true;
          if (writes.outboxRows) signalOutboxCommit(this.#em);
          return true;
        } catch (error) {
          const converted = error instanceof Error ? driver.convertException(error) : error;
          if (isLockConflictOrDuplicate(converted)) {
            this.guessesGivenWay++;
            return false;
          }
          throw converted;
        } finally {
          // A compound statement that failed half-way leaves its transaction open on the connection.
          if (!committed) await connection.execute("rollback", [], "run", client).catch(() => undefined);
        }
      });
  }

  /** The ledger rows and outbox events as multi-row inserts (statements ending in `;`, with their parameters). */
  #writes(
    ctx: RequestContext,
    { movements, events }: { movements: StockMovement[]; events: InventoryEvent[] },
  ): { sql: string; params: unknown[]; outboxRows: number } {
    const platform = this.#em.getPlatform();
    const date = (d: Date) => platform.processDateProperty(d);
    const outbox = events.map((event) => this.#toEvent(event, ctx));
    const sql =
      (movements.length === 0
        ? ""
        : `insert into inventory_movements (${MOVEMENT_COLUMNS}) values ${rowsOf(movements.length, 14)};`) +
      (outbox.length === 0 ? "" : ` insert into outbox_events (${OUTBOX_COLUMNS}) values ${rowsOf(outbox.length, 10)};`);
    const params = [
      ...movements.flatMap((m) => [
        m.id,
        ctx.tenantId,
        m.sku,
        m.locationId,
        m.kind,
        m.adjustmentReason ?? null,
        m.onHandDelta,
        m.reservedDelta,
        m.onHandAfter,
        m.reservedAfter,
        m.orderId ?? null,
        m.actorUserId ?? null,
        m.note ?? null,
        date(m.occurredAt),
      ]),
      ...outbox.flatMap((e) => [
        e.id,
        e.topic,
        e.key,
        e.type,
        e.schemaVersion,
        e.tenantId,
        e.correlationId,
        date(e.occurredAt),
        Buffer.from(e.payload.buffer, e.payload.byteOffset, e.payload.byteLength),
        null,
      ]),
    ];
    return { sql, params, outboxRows: outbox.length };
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

interface SnapshotRow {
  sku: string;
  location_id: string;
  on_hand: number | string;
  reserved: number | string;
  version: number | string;
  updated_at: Date | string | number;
  restock_threshold: number | string | null;
}

interface AfterRow {
  sku: string;
  location_id: string;
  on_hand: number | string;
  reserved: number | string;
}

const RESERVATION_COLUMNS =
  "`tenant_id`, `order_id`, `reservation_id`, `status`, `lines`, `short_lines`, `skus`, `created_at`, `expires_at`, `updated_at`, `release_reason`";
const MOVEMENT_COLUMNS =
  "`movement_id`, `tenant_id`, `sku`, `location_id`, `kind`, `adjustment_reason`, `on_hand_delta`, `reserved_delta`, `on_hand_after`, `reserved_after`, `order_id`, `actor_user_id`, `note`, `occurred_at`";
/** The columns `appendToOutbox` writes (`OutboxEvent`), in the order the values are given. */
const OUTBOX_COLUMNS =
  "`event_id`, `topic`, `event_key`, `event_type`, `schema_version`, `tenant_id`, `correlation_id`, `occurred_at`, `payload`, `published_at`";

const rowsOf = (count: number, width: number) =>
  Array.from({ length: count }, () => `(${Array.from({ length: width }, () => "?").join(", ")})`).join(", ");

const guessedSql = new Map<number, string>();

/**
 * The first compound statement of a guessed reservation with `lines` lines. Parameters: the
 * reservation's 11 values; per line quantity, updated_at, tenant, SKU, location, quantity; with
 * a prediction, the tenant, per line SKU, location, on hand and reserved predicted, the line
 * count, and the parameters of `predictedWrites`; then the tenant and per line SKU and location
 * for the read-back. Answers `outcome = committed`, or the changed rows (transaction still
 * open), or nothing (a line did not fit; transaction still open).
 */
function guessedReservationSql(lines: number, predictedWrites: string | undefined): string {
  const cached = predictedWrites === undefined ? guessedSql.get(lines) : undefined;
  if (cached) return cached;
  const update =
    "if fits then update inventory_stock set reserved = reserved + ?, version = version + 1, updated_at = ?" +
    " where tenant_id = ? and sku = ? and location_id = ? and on_hand - reserved >= ?;" +
    " if row_count() <> 1 then set fits = 0; end if; end if;";
  const rows = (extra: string) => Array.from({ length: lines }, () => `(sku = ? and location_id = ?${extra})`).join(" or ");
  const readBack = `select sku, location_id, on_hand, reserved from inventory_stock where tenant_id = ? and (${rows("")});`;
  const sql = `begin not atomic
    declare fits int default 1;
    set transaction isolation level read committed;
    start transaction;
    insert into inventory_reservations (${RESERVATION_COLUMNS}) values ${rowsOf(1, 11)};
    ${Array.from({ length: lines }, () => update).join("\n    ")}
    if fits then
      ${
        predictedWrites === undefined
          ? readBack
          : `if (select count(*) from inventory_stock where tenant_id = ? and (${rows(" and on_hand = ? and reserved = ?")})) = ? then
        ${predictedWrites}
        commit;
        select 'committed' as outcome;
      else
        ${readBack}
      end if;`
      }
    end if;
  end`;
  if (predictedWrites === undefined) guessedSql.set(lines, sql);
  return sql;
}

function reservationValues(tenantId: string, r: Reservation, date: (d: Date) => unknown): unknown[] {
  const f = toReservationFields(r);
  return [
    tenantId,
    f.orderId,
    f.reservationId,
    f.status,
    f.lines,
    f.shortLines,
    f.skus,
    date(f.createdAt),
    date(f.expiresAt),
    date(f.updatedAt),
    f.releaseReason,
  ];
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
