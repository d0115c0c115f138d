import { DeadlockException, UniqueConstraintViolationException } from "@mikro-orm/core";
import type { SqlEntityManager } from "@mikro-orm/sql";
import type { EventMapper } from "../../../core/kit/event-mapper.ts";
import type { RequestContext } from "../../../core/kit/request-context.ts";
import type { InventoryEvent } from "../../../core/inventory/inventory-events.ts";
import type { GuessedReservation, StockAfterReserve } from "../../../core/inventory/inventory-store.ts";
import { signalOutboxCommit } from "../outbox-commit-signal.ts";
import { isLockConflictOrDuplicate } from "../transaction-retry.ts";
import { type BatchRowValues, firstStatement, parseFirstOutcome } from "./guess-batch-statement.ts";
import type { ItemOutcome } from "./micro-batcher.ts";
import {
  allWrites,
  type ChangeRecords,
  type DateParam,
  ledgerAndOutboxInserts,
  reservationsInsert,
  type SqlWrites,
  type StockRowChange,
  stockRowsUpdate,
} from "./reservation-writes.ts";

/** One caller's guessed reservation waiting for its batch. */
export interface GuessRequest {
  readonly ctx: RequestContext;
  readonly guess: GuessedReservation;
}

/** What the store counts (for tests and metrics). */
export interface GuessCounters {
  retries: number;
  guessesGivenWay: number;
  guessesCommittedAtOnce: number;
  guessBatches: number;
  guessBatchMembers: number;
}

export interface GuessBatchEnv {
  readonly em: SqlEntityManager;
  readonly toEvent: EventMapper<InventoryEvent>;
  /** Called with the batch's transaction open, everything written, before COMMIT (no prediction is sent then: the rows decide). */
  readonly beforeCommit: (() => void | Promise<void>) | undefined;
  readonly counters: GuessCounters;
  /** Attempts of a batch on deadlocks and duplicate orders before its members give way to the locked path. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
}

type Outcome = ItemOutcome<boolean>;

/**
 * Runs a batch of guessed reservations in one transaction (`firstStatement`): every member is
 * all or nothing on its own. A member answers true when committed, false when nothing of it
 * stays (a line no longer fits, its order already has a reservation, in the database or earlier
 * in the batch: the caller's locked path decides), or fails alone when its ledger cannot be built.
 * When the rows are as the snapshots predicted, one statement writes and commits the whole batch;
 * otherwise each member is decided, in arrival order, on the rows the first statement locked and
 * answered, and a second statement writes the ones that fit and commits. A deadlock, or a
 * duplicate order committed meanwhile by another transaction, rolls the batch back whole and runs
 * every member again (jittered back-off) up to `maxAttempts`; after that, or on a lock wait
 * timeout, every member gives way. Any other failure (a lost connection) fails every member with
 * that error, nothing half-applied.
 */
export async function runGuessBatch(env: GuessBatchEnv, requests: readonly GuessRequest[]): Promise<Outcome[]> {
  env.counters.guessBatches++;
  env.counters.guessBatchMembers += requests.length;
  for (let attempt = 1; ; attempt++) {
    try {
      const { outcomes, atOnce } = await applyOnce(env, requests);
      for (const outcome of outcomes) {
        if (outcome.ok && !outcome.value) env.counters.guessesGivenWay++;
        if (outcome.ok && outcome.value && atOnce) env.counters.guessesCommittedAtOnce++;
      }
      return outcomes;
    } catch (error) {
      const conflict = error instanceof DeadlockException || error instanceof UniqueConstraintViolationException;
      if (conflict && attempt < env.maxAttempts) {
        env.counters.retries++;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * env.baseDelayMs * 2 ** attempt));
        continue;
      }
      if (!isLockConflictOrDuplicate(error)) return requests.map(() => ({ ok: false, error }));
      env.counters.guessesGivenWay += requests.length;
      return requests.map(() => ({ ok: true, value: false }));
    }
  }
}

/**
 * One attempt of a batch: one transaction on one pooled connection. `atOnce`: the first
 * statement committed every member, as predicted.
 */
async function applyOnce(
  env: GuessBatchEnv,
  requests: readonly GuessRequest[],
): Promise<{ outcomes: Outcome[]; atOnce: boolean }> {
  const platform = env.em.getPlatform();
  const date: DateParam = (d) => platform.processDateProperty(d);
  const predicted = env.beforeCommit ? undefined : predictBatch(env, requests, date);
  const members = requests.map((request, i) => ({ i, request }));
  const connection = env.em.getConnection();
  const driver = env.em.getDriver();
  const first = firstStatement({
    orders: members.map(({ request }) => ({ tenantId: request.ctx.tenantId, orderId: request.guess.reservation.orderId })),
    rows: distinctRows(members.map(({ request }) => request)),
    predicted,
  });
  return connection
    .getClient()
    .connection()
    .execute(async (client) => {
      const run = (statement: string, values: unknown[], method: "all" | "run") =>
        connection.execute(statement, values, method, client).catch((error: unknown) => {
          throw error instanceof Error ? driver.convertException(error) : error;
        });
      let committed = false;
      try {
        const answer = parseFirstOutcome(await run(first.sql, first.params, "all"));
        if (answer.kind === "written") {
          committed = true;
          if (predicted && predicted.writes.outboxRows > 0) signalOutboxCommit(env.em);
          return { outcomes: requests.map(() => ({ ok: true, value: true })), atOnce: true };
        }
        const outcomes: Outcome[] = [];
        const writes = decideOnLockedRows(env, members, answer.rows, answer.reservedOrders, date, outcomes);
        if (env.beforeCommit && writes.sql) {
          await run(`begin not atomic ${writes.sql} end`, writes.params, "run");
          await env.beforeCommit();
          await run("commit", [], "run");
        } else {
          await run(writes.sql ? `begin not atomic ${writes.sql} commit; end` : "commit", writes.params, "run");
        }
        committed = true;
        if (writes.outboxRows > 0) signalOutboxCommit(env.em);
        return { outcomes, atOnce: false };
      } finally {
        // A compound statement that failed half-way, or one waiting for its writes, leaves its transaction open.
        if (!committed) await connection.execute("rollback", [], "run", client).catch(() => undefined);
      }
    });
}

const rowKey = (tenantId: string, sku: string, locationId: string) => `${tenantId}\u0000${sku}\u0000${locationId}`;
const orderKey = (tenantId: string, orderId: string) => `${tenantId}\u0000${orderId}`;

/** A stock row while a batch's members are applied to it in order. */
interface RowState extends StockRowChange {
  onHand: number;
  reserved: number;
  changes: number;
  at: Date;
}

/**
 * The whole batch's writes as the snapshots predict them, when they can: every member predicts
 * each of its rows, the members touching one row saw it alike, no order comes twice and every
 * member fits after the ones before it, its ledger built. Undefined otherwise: the rows as they
 * are decide.
 */
function predictBatch(
  env: GuessBatchEnv,
  requests: readonly GuessRequest[],
  date: DateParam,
): { before: BatchRowValues[]; writes: SqlWrites } | undefined {
  const rows = new Map<string, { before: BatchRowValues; state: RowState }>();
  const orders = new Set<string>();
  const changes: ChangeRecords[] = [];
  for (const { ctx, guess } of requests) {
    const { reservation, predicted } = guess;
    const order = orderKey(ctx.tenantId, reservation.orderId);
    if (orders.has(order) || predicted.length !== reservation.lines.length) return undefined;
    orders.add(order);
    const after: StockAfterReserve[] = [];
    for (const [l, line] of reservation.lines.entries()) {
      const seen = predicted[l];
      if (!seen || seen.sku !== line.sku || seen.locationId !== line.locationId) return undefined;
      const key = rowKey(ctx.tenantId, line.sku, line.locationId);
      const before = {
        tenantId: ctx.tenantId,
        sku: line.sku,
        locationId: line.locationId,
        onHand: seen.onHand,
        reserved: seen.reserved - line.quantity,
      };
      const row = rows.get(key) ?? { before, state: { ...before, changes: 0, at: reservation.createdAt } };
      rows.set(key, row);
      if (row.before.onHand !== before.onHand || row.before.reserved !== before.reserved) return undefined;
      if (row.state.onHand - row.state.reserved < line.quantity) return undefined;
      row.state.reserved += line.quantity;
      row.state.changes++;
      row.state.at = reservation.createdAt;
      after.push({ sku: line.sku, locationId: line.locationId, onHand: row.state.onHand, reserved: row.state.reserved });
    }
    try {
      changes.push({ ctx, ...guess.complete(after) });
    } catch {
      return undefined;
    }
  }
  const states = [...rows.values()];
  return {
    before: states.map((row) => row.before),
    writes: allWrites([
      reservationsInsert(
        requests.map(({ ctx, guess }) => ({ tenantId: ctx.tenantId, reservation: guess.reservation })),
        date,
      ),
      stockRowsUpdate(
        states.map((row) => row.state),
        date,
      ),
      ledgerAndOutboxInserts(env.toEvent, date, changes),
    ]),
  };
}

/**
 * Each member decided in arrival order on the locked rows, as its conditional updates would
 * have: its order already reserved (stored, or earlier in the batch), a row missing or a line no
 * longer fitting leaves nothing of it (false); otherwise its ledger and events are built on the
 * rows after it; one whose ledger cannot be built fails alone. Fills `outcomes` (member order)
 * and answers the writes of the members that fit.
 */
function decideOnLockedRows(
  env: GuessBatchEnv,
  members: readonly { i: number; request: GuessRequest }[],
  locked: readonly BatchRowValues[],
  reservedOrders: readonly { tenantId: string; orderId: string }[],
  date: DateParam,
  outcomes: Outcome[],
): SqlWrites {
  const rows = new Map<string, RowState>(
    locked.map((row) => [rowKey(row.tenantId, row.sku, row.locationId), { ...row, changes: 0, at: new Date(0) }]),
  );
  const orders = new Set(reservedOrders.map((o) => orderKey(o.tenantId, o.orderId)));
  const reserved: { tenantId: string; reservation: GuessedReservation["reservation"] }[] = [];
  const changes: ChangeRecords[] = [];
  for (const { i, request } of members) {
    const { ctx, guess } = request;
    const { reservation } = guess;
    const order = orderKey(ctx.tenantId, reservation.orderId);
    const states = reservation.lines.map((line) => rows.get(rowKey(ctx.tenantId, line.sku, line.locationId)));
    const fits = reservation.lines.every((line, l) => {
      const state = states[l];
      return state !== undefined && state.onHand - state.reserved >= line.quantity;
    });
    if (orders.has(order) || !fits) {
      outcomes[i] = { ok: true, value: false };
      continue;
    }
    const after = reservation.lines.map((line, l) => {
      const state = states[l] as RowState;
      return { sku: line.sku, locationId: line.locationId, onHand: state.onHand, reserved: state.reserved + line.quantity };
    });
    try {
      changes.push({ ctx, ...guess.complete(after) });
    } catch (error) {
      outcomes[i] = { ok: false, error };
      continue;
    }
    reservation.lines.forEach((line, l) => {
      const state = states[l] as RowState;
      state.reserved += line.quantity;
      state.changes++;
      state.at = reservation.createdAt;
    });
    orders.add(order);
    reserved.push({ tenantId: ctx.tenantId, reservation });
    outcomes[i] = { ok: true, value: true };
  }
  return allWrites([
    reservationsInsert(reserved, date),
    stockRowsUpdate(
      [...rows.values()].filter((row) => row.changes > 0),
      date,
    ),
    ledgerAndOutboxInserts(env.toEvent, date, changes),
  ]);
}

/** The stock rows the members reserve on, without duplicates. */
function distinctRows(requests: readonly GuessRequest[]) {
  const rows = new Map<string, { tenantId: string; sku: string; locationId: string }>();
  for (const { ctx, guess } of requests) {
    for (const { sku, locationId } of guess.reservation.lines) {
      rows.set(rowKey(ctx.tenantId, sku, locationId), { tenantId: ctx.tenantId, sku, locationId });
    }
  }
  return [...rows.values()];
}
