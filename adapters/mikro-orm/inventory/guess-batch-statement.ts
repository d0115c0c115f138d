import type { SqlWrites } from "./reservation-writes.ts";

/** A stock row of a batch. */
export interface BatchRow {
  readonly tenantId: string;
  readonly sku: string;
  readonly locationId: string;
}

export interface BatchRowValues extends BatchRow {
  readonly onHand: number;
  readonly reserved: number;
}

export interface BatchOrder {
  readonly tenantId: string;
  readonly orderId: string;
}

/** What the first statement of a batch is to do. */
export interface BatchPlan {
  /** The members' orders. */
  readonly orders: readonly BatchOrder[];
  /** Every stock row the members reserve on, without duplicates. */
  readonly rows: readonly BatchRow[];
  /**
   * When the members' snapshots agree and every member fits on them: the rows as the snapshots
   * saw them, and the batch's writes on that basis (reservations, stock rows, ledger, outbox).
   */
  readonly predicted: { readonly before: readonly BatchRowValues[]; readonly writes: SqlWrites } | undefined;
}

export type FirstOutcome =
  /** The rows were as predicted and no order had a reservation: the predicted writes are in, committed. */
  | { readonly kind: "written" }
  /** The batch's rows, locked (the transaction stays open), and the orders that already have a reservation. */
  | { readonly kind: "locked"; readonly rows: readonly BatchRowValues[]; readonly reservedOrders: readonly BatchOrder[] };

/**
 * The first compound statement of a batch of guessed reservations, any tenants (`BEGIN NOT ATOMIC
 * ... END`: a single statement, so no multi-statement flag): READ COMMITTED, START TRANSACTION,
 * then every stock row of the batch's SKUs locked, (tenant, SKU) in code-unit order, SKU by SKU
 * as the locked path locks them, so that two batches, or a batch and a locked path, cannot wait
 * on each other in a cycle. With a prediction it then checks, on the locked rows, that they hold
 * what the snapshots saw and that none of the orders has a reservation yet; when so it writes
 * everything in a few multi-row statements and commits: one round trip for the whole batch.
 * Otherwise it answers the locked rows and the orders already reserved, its transaction open,
 * for the caller to decide each member on them and write in a second statement.
 */
export function firstStatement(plan: BatchPlan): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const parts = [
    `begin not atomic
  declare locked_rows int;
  declare reserved_orders int;
  declare unchanged_rows int;
  set transaction isolation level read committed;
  start transaction;`,
  ];
  for (const [tenantId, sku] of lockKeys(plan.rows)) {
    parts.push("select count(*) into locked_rows from inventory_stock where tenant_id = ? and sku = ? for update;");
    params.push(tenantId, sku);
  }
  const orders = ordersCondition(plan.orders);
  const rows = rowsCondition(plan.rows);
  const lockedAnswer = `select 'stock' as kind, tenant_id, sku as name, location_id, on_hand, reserved from inventory_stock where ${rows.sql}
    union all select 'order', tenant_id, order_id, null, null, null from inventory_reservations where ${orders.sql};`;
  const { predicted } = plan;
  if (predicted) {
    const unchanged = rowsCondition(predicted.before, true);
    parts.push(
      `select count(*) into reserved_orders from inventory_reservations where ${orders.sql};`,
      `select count(*) into unchanged_rows from inventory_stock where ${unchanged.sql};`,
      `if reserved_orders = 0 and unchanged_rows = ? then ${predicted.writes.sql} commit; select 'written' as kind;`,
      `else ${lockedAnswer} end if;`,
    );
    params.push(...orders.params, ...unchanged.params, predicted.before.length, ...predicted.writes.params);
  } else {
    parts.push(lockedAnswer);
  }
  params.push(...rows.params, ...orders.params);
  parts.push("end");
  return { sql: parts.join("\n  "), params };
}

interface AnswerRow {
  kind: string;
  tenant_id: string | null;
  name: string | null;
  location_id: string | null;
  on_hand: number | string | null;
  reserved: number | string | null;
}

export function parseFirstOutcome(result: unknown): FirstOutcome {
  const rows = Array.isArray(result) ? result.find((part): part is AnswerRow[] => Array.isArray(part)) : undefined;
  if (!rows) throw new Error("the first statement of a batch of guessed reservations gave no answer");
  if (rows.length === 1 && rows[0]?.kind === "written") return { kind: "written" };
  const stock: BatchRowValues[] = [];
  const reservedOrders: BatchOrder[] = [];
  for (const row of rows) {
    if (row.kind === "stock") {
      stock.push({
        tenantId: String(row.tenant_id),
        sku: String(row.name),
        locationId: String(row.location_id),
        onHand: Number(row.on_hand),
        reserved: Number(row.reserved),
      });
    } else if (row.kind === "order") {
      reservedOrders.push({ tenantId: String(row.tenant_id), orderId: String(row.name) });
    } else {
      throw new Error(`unknown answer ${row.kind} of a batch of guessed reservations`);
    }
  }
  return { kind: "locked", rows: stock, reservedOrders };
}

/** The (tenant, SKU) pairs of the rows, without duplicates, in lock order (tenant, then SKU, code-unit order). */
function lockKeys(rows: readonly BatchRow[]): [string, string][] {
  const keys = new Map<string, [string, string]>();
  for (const { tenantId, sku } of rows) keys.set(`${tenantId}\u0000${sku}`, [tenantId, sku]);
  const codeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...keys.values()].sort((a, b) => codeUnits(a[0], b[0]) || codeUnits(a[1], b[1]));
}

/** Primary-key equalities OR-ed (the range optimizer turns them into point lookups), optionally with the values. */
function rowsCondition(rows: readonly (BatchRow | BatchRowValues)[], withValues = false): { sql: string; params: unknown[] } {
  if (rows.length === 0) return { sql: "false", params: [] };
  const one = withValues
    ? "(tenant_id = ? and sku = ? and location_id = ? and on_hand = ? and reserved = ?)"
    : "(tenant_id = ? and sku = ? and location_id = ?)";
  return {
    sql: rows.map(() => one).join(" or "),
    params: rows.flatMap((row) =>
      withValues && "onHand" in row
        ? [row.tenantId, row.sku, row.locationId, row.onHand, row.reserved]
        : [row.tenantId, row.sku, row.locationId],
    ),
  };
}

function ordersCondition(orders: readonly BatchOrder[]): { sql: string; params: unknown[] } {
  const byTenant = new Map<string, string[]>();
  for (const { tenantId, orderId } of orders) byTenant.set(tenantId, [...(byTenant.get(tenantId) ?? []), orderId]);
  if (byTenant.size === 0) return { sql: "false", params: [] };
  return {
    sql: [...byTenant.values()].map((ids) => `(tenant_id = ? and order_id in (${ids.map(() => "?").join(", ")}))`).join(" or "),
    params: [...byTenant].flatMap(([tenantId, ids]) => [tenantId, ...ids]),
  };
}
