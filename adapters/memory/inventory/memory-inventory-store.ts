import type { EventMapper } from "../../../core/kit/event-mapper.ts";
import type { IntegrationEvent } from "../../../core/kit/integration-event.ts";
import { decodePageToken, encodePageToken } from "../../../core/kit/page-token.ts";
import type { RequestContext, TenantId } from "../../../core/kit/request-context.ts";
import type { InventoryEvent } from "../../../core/inventory/inventory-events.ts";
import { reserveOnGuessInTransaction } from "../../../core/inventory/guess-in-transaction.ts";
import type {
  GuessedReservation,
  InventoryStore,
  InventoryTransaction,
  LowStockEntry,
  Page,
  ReservationSnapshot,
  StockAfterReserve,
} from "../../../core/inventory/inventory-store.ts";
import type { Reservation, ReservationStatus } from "../../../core/inventory/reservation.ts";
import type { StockLevel } from "../../../core/inventory/stock-level.ts";
import type { StockMovement } from "../../../core/inventory/stock-movement.ts";

interface State {
  stock: Map<string, StockLevel & { tenantId: TenantId }>;
  thresholds: Map<string, number>;
  reservations: Map<string, Reservation & { tenantId: TenantId; seq: number }>;
  movements: (StockMovement & { tenantId: TenantId; seq: number })[];
  idempotency: Map<string, { fingerprint: string; response: string }>;
  outbox: IntegrationEvent[];
  seq: number;
}

const k = (...parts: string[]) => parts.join("\u0000");

/**
 * Inventory in Maps, for unit tests and as the reference the SQL adapter is held to: one
 * transaction at a time (a queue), working on a copy that replaces the state on success.
 */
export class MemoryInventoryStore implements InventoryStore {
  #state: State = {
    stock: new Map(),
    thresholds: new Map(),
    reservations: new Map(),
    movements: [],
    idempotency: new Map(),
    outbox: [],
    seq: 0,
  };
  #queue: Promise<unknown> = Promise.resolve();
  readonly #toEvent: EventMapper<InventoryEvent>;

  constructor(toEvent: EventMapper<InventoryEvent>) {
    this.#toEvent = toEvent;
  }

  get outbox(): readonly IntegrationEvent[] {
    return this.#state.outbox;
  }

  transaction<T>(ctx: RequestContext, work: (tx: InventoryTransaction) => Promise<T>): Promise<T> {
    const run = this.#queue.then(async () => {
      const draft: State = {
        stock: new Map(this.#state.stock),
        thresholds: new Map(this.#state.thresholds),
        reservations: new Map(this.#state.reservations),
        movements: [...this.#state.movements],
        idempotency: new Map(this.#state.idempotency),
        outbox: [...this.#state.outbox],
        seq: this.#state.seq,
      };
      const result = await work(this.#tx(draft, ctx));
      this.#state = draft;
      return result;
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #tx(s: State, ctx: RequestContext): InventoryTransaction {
    const t = ctx.tenantId;
    const toEvent = this.#toEvent;
    return {
      async lockStock(skus) {
        return skus.flatMap((sku) => stockOf(s, t, sku));
      },
      async reserveIfAvailable(lines, at) {
        const after: StockAfterReserve[] = [];
        for (const line of lines) {
          const key = k(t, line.sku, line.locationId);
          const row = s.stock.get(key);
          if (!row || row.onHand - row.reserved < line.quantity) return undefined;
          const moved = { ...row, reserved: row.reserved + line.quantity, version: row.version + 1, updatedAt: at };
          s.stock.set(key, moved);
          after.push({ sku: line.sku, locationId: line.locationId, onHand: moved.onHand, reserved: moved.reserved });
        }
        return after;
      },
      async saveStock(levels) {
        for (const level of levels) s.stock.set(k(t, level.sku, level.locationId), { ...level, tenantId: t });
      },
      async thresholds(skus) {
        return thresholdsOf(s, t, skus);
      },
      async setThreshold(sku, threshold) {
        s.thresholds.set(k(t, sku), threshold);
      },
      async lockReservation(orderId) {
        return strip(s.reservations.get(k(t, orderId)));
      },
      async addReservation(reservation) {
        if (s.reservations.has(k(t, reservation.orderId))) throw new Error(`duplicate reservation for ${reservation.orderId}`);
        s.reservations.set(k(t, reservation.orderId), { ...reservation, tenantId: t, seq: ++s.seq });
      },
      async updateReservation(reservation) {
        const stored = s.reservations.get(k(t, reservation.orderId));
        if (!stored) throw new Error(`no reservation for ${reservation.orderId}`);
        s.reservations.set(k(t, reservation.orderId), { ...reservation, tenantId: t, seq: stored.seq });
      },
      async recordMovements(movements) {
        for (const m of movements) s.movements.push({ ...m, tenantId: t, seq: ++s.seq });
      },
      async findIdempotent(scope, key) {
        return s.idempotency.get(k(t, scope, key));
      },
      async saveIdempotent(scope, key, fingerprint, response) {
        s.idempotency.set(k(t, scope, key), { fingerprint, response });
      },
      async publish(events) {
        s.outbox.push(...events.map((event) => toEvent(event, ctx)));
      },
    };
  }

  async readStock(tenantId: TenantId, skus: readonly string[]): Promise<StockLevel[]> {
    return skus.flatMap((sku) => stockOf(this.#state, tenantId, sku));
  }

  async readThresholds(tenantId: TenantId, skus: readonly string[]): Promise<Map<string, number>> {
    return thresholdsOf(this.#state, tenantId, skus);
  }

  async readForReservation(tenantId: TenantId, skus: readonly string[]): Promise<ReservationSnapshot> {
    return {
      levels: skus.flatMap((sku) => stockOf(this.#state, tenantId, sku)),
      thresholds: thresholdsOf(this.#state, tenantId, skus),
    };
  }

  reserveOnGuess(ctx: RequestContext, guess: GuessedReservation): Promise<boolean> {
    return reserveOnGuessInTransaction(this, ctx, guess);
  }

  async findReservation(tenantId: TenantId, orderId: string): Promise<Reservation | undefined> {
    return strip(this.#state.reservations.get(k(tenantId, orderId)));
  }

  async listReservations(
    tenantId: TenantId,
    query: { status?: ReservationStatus; sku?: string; pageSize: number; pageToken?: string },
  ): Promise<Page<Reservation>> {
    const after = decodePageToken(query.pageToken);
    const matching = [...this.#state.reservations.values()]
      .filter(
        (r) =>
          r.tenantId === tenantId &&
          (!query.status || r.status === query.status) &&
          (!query.sku || r.lines.some((l) => l.sku === query.sku)) &&
          (!after || r.seq < Number(after)),
      )
      .sort((a, b) => b.seq - a.seq);
    const page = matching.slice(0, query.pageSize);
    const last = page.at(-1);
    return {
      items: page.map((r) => strip(r) as Reservation),
      nextPageToken: matching.length > query.pageSize && last ? encodePageToken(String(last.seq)) : undefined,
    };
  }

  async listMovements(
    tenantId: TenantId,
    query: { sku: string; locationId?: string; pageSize: number; pageToken?: string },
  ): Promise<Page<StockMovement>> {
    const after = decodePageToken(query.pageToken);
    const matching = this.#state.movements
      .filter(
        (m) =>
          m.tenantId === tenantId &&
          m.sku === query.sku &&
          (!query.locationId || m.locationId === query.locationId) &&
          (!after || m.seq < Number(after)),
      )
      .sort((a, b) => b.seq - a.seq);
    const page = matching.slice(0, query.pageSize);
    const last = page.at(-1);
    return {
      items: page.map(({ tenantId: _t, seq: _s, ...m }) => m),
      nextPageToken: matching.length > query.pageSize && last ? encodePageToken(String(last.seq)) : undefined,
    };
  }

  async lowStock(tenantId: TenantId): Promise<LowStockEntry[]> {
    const entries: LowStockEntry[] = [];
    for (const [key, threshold] of this.#state.thresholds) {
      const [tenant, sku] = key.split("\u0000") as [string, string];
      if (tenant !== tenantId || threshold <= 0) continue;
      const levels = stockOf(this.#state, tenantId, sku);
      const onHand = levels.reduce((sum, l) => sum + l.onHand, 0);
      const reserved = levels.reduce((sum, l) => sum + l.reserved, 0);
      if (onHand - reserved <= threshold) entries.push({ sku, onHand, reserved, restockThreshold: threshold });
    }
    return entries;
  }

  async dueForExpiry(now: Date, limit: number): Promise<{ tenantId: TenantId; orderId: string }[]> {
    return [...this.#state.reservations.values()]
      .filter((r) => r.status === "reserved" && r.expiresAt.getTime() <= now.getTime())
      .sort((a, b) => a.expiresAt.getTime() - b.expiresAt.getTime())
      .slice(0, limit)
      .map((r) => ({ tenantId: r.tenantId, orderId: r.orderId }));
  }
}

function stockOf(s: State, tenantId: TenantId, sku: string): StockLevel[] {
  return [...s.stock.values()]
    .filter((l) => l.tenantId === tenantId && l.sku === sku)
    .sort((a, b) => (a.locationId < b.locationId ? -1 : 1))
    .map(({ tenantId: _t, ...level }) => level);
}

function thresholdsOf(s: State, tenantId: TenantId, skus: readonly string[]): Map<string, number> {
  const found = new Map<string, number>();
  for (const sku of skus) {
    const threshold = s.thresholds.get(k(tenantId, sku));
    if (threshold !== undefined) found.set(sku, threshold);
  }
  return found;
}

function strip(r: (Reservation & { tenantId: TenantId; seq: number }) | undefined): Reservation | undefined {
  if (!r) return undefined;
  const { tenantId: _t, seq: _s, ...reservation } = r;
  return reservation;
}
