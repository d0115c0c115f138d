import type { RequestContext, TenantId } from "../kit/request-context.ts";
import type { InventoryEvent } from "./inventory-events.ts";
import type { Reservation, ReservationStatus, ReservedLine } from "./reservation.ts";
import type { StockLevel } from "./stock-level.ts";
import type { StockMovement } from "./stock-movement.ts";

/**
 * One transaction on one tenant's inventory. Rows read with `lock*` stay locked until the
 * transaction ends; every use case locks in the same order (the reservation first, then stock
 * rows SKU by SKU in `lockOrder`), so two transactions cannot wait on each other in a cycle.
 * Events appended here commit with the state (the outbox).
 */
export interface InventoryTransaction {
  /** The stock rows of these SKUs at every location, locked, SKU by SKU in the order given. */
  lockStock(skus: readonly string[]): Promise<StockLevel[]>;
  /**
   * Adds each line's quantity to reserved at its location with one conditional update per line
   * (in the order given, which must be lock order), each applied only where available still
   * covers it: the database decides, no row is read first. Resolves to on hand and reserved of
   * the changed rows after the change (exact: they stay locked), or undefined as soon as one
   * line no longer fits; the caller must then abandon the transaction (earlier lines applied).
   */
  reserveIfAvailable(lines: readonly ReservedLine[], at: Date): Promise<StockAfterReserve[] | undefined>;
  /** Inserts or updates rows (a row with version 1 is new). */
  saveStock(levels: readonly StockLevel[]): Promise<void>;
  /** Restock thresholds of these SKUs (absent: none). */
  thresholds(skus: readonly string[]): Promise<Map<string, number>>;
  setThreshold(sku: string, threshold: number): Promise<void>;
  /** The order's reservation, locked. */
  lockReservation(orderId: string): Promise<Reservation | undefined>;
  /** Inserts a new reservation; a second one for the same order makes the transaction retry. */
  addReservation(reservation: Reservation): Promise<void>;
  updateReservation(reservation: Reservation): Promise<void>;
  recordMovements(movements: readonly StockMovement[]): Promise<void>;
  /** The stored answer of an idempotent command, or undefined. */
  findIdempotent(scope: string, key: string): Promise<{ fingerprint: string; response: string } | undefined>;
  saveIdempotent(scope: string, key: string, fingerprint: string, response: string): Promise<void>;
  publish(events: readonly InventoryEvent[]): Promise<void>;
}

export interface StockAfterReserve {
  readonly sku: string;
  readonly locationId: string;
  readonly onHand: number;
  readonly reserved: number;
}

/**
 * What a reservation looks at before its transaction: a first guess of the stock. A replay is not
 * looked for here: the guessed reservation's insert meets the order's unique key and gives way to
 * the locked path, which answers the stored reservation.
 */
export interface ReservationSnapshot {
  /** Every location of the SKUs, unlocked (a guess: the conditional updates decide). */
  readonly levels: StockLevel[];
  readonly thresholds: Map<string, number>;
}

/**
 * A reservation whose allocation was guessed on the snapshot, ready to apply: its lines are in
 * lock order. `complete` turns on hand and reserved of the changed rows after the change (one per
 * line, in line order) into the ledger rows and the events that commit with it (pure; a store
 * may call it more than once, and commits only what it returned for the rows as they are).
 */
export interface GuessedReservation {
  readonly reservation: Reservation;
  /**
   * The changed rows after the change as the snapshot predicts them (one per line, in line
   * order): a store may write `complete(predicted)` at once when the rows agree with it.
   */
  readonly predicted: readonly StockAfterReserve[];
  complete(after: readonly StockAfterReserve[]): { movements: StockMovement[]; events: InventoryEvent[] };
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextPageToken: string | undefined;
}

export interface LowStockEntry {
  readonly sku: string;
  readonly onHand: number;
  readonly reserved: number;
  readonly restockThreshold: number;
}

/**
 * Where stock, reservations and the ledger live. `transaction` runs `work` atomically and
 * runs it again (a bounded number of times) when the database reports a deadlock, a lock
 * wait timeout or a duplicate reservation: `work` must only act through `tx`.
 */
export interface InventoryStore {
  transaction<T>(ctx: RequestContext, work: (tx: InventoryTransaction) => Promise<T>): Promise<T>;
  /** Unlocked reads. */
  readStock(tenantId: TenantId, skus: readonly string[]): Promise<StockLevel[]>;
  readThresholds(tenantId: TenantId, skus: readonly string[]): Promise<Map<string, number>>;
  /** The SKUs' stock rows and thresholds, unlocked, at once. */
  readForReservation(tenantId: TenantId, skus: readonly string[]): Promise<ReservationSnapshot>;
  /**
   * Applies a guessed reservation in one transaction (a store may share it with other guesses,
   * each all or nothing on its own): inserts it, adds each line to reserved with a conditional
   * update (applied only where available still covers it), then records what `complete` returns
   * and commits. Resolves true when committed; false when nothing changed: a line no longer fits,
   * the order already has a reservation, or the database kept reporting a conflict (deadlock,
   * lock wait). Then the caller's locked path decides.
   */
  reserveOnGuess(ctx: RequestContext, guess: GuessedReservation): Promise<boolean>;
  findReservation(tenantId: TenantId, orderId: string): Promise<Reservation | undefined>;
  listReservations(
    tenantId: TenantId,
    query: { status?: ReservationStatus; sku?: string; pageSize: number; pageToken?: string },
  ): Promise<Page<Reservation>>;
  listMovements(
    tenantId: TenantId,
    query: { sku: string; locationId?: string; pageSize: number; pageToken?: string },
  ): Promise<Page<StockMovement>>;
  /** SKUs with a threshold above 0 whose available total is at or below it (any order). */
  lowStock(tenantId: TenantId): Promise<LowStockEntry[]>;
  /** Reservations of any tenant still held at `now` past their expiry, oldest first. */
  dueForExpiry(now: Date, limit: number): Promise<{ tenantId: TenantId; orderId: string }[]>;
}
