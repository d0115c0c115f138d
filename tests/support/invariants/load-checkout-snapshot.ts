import type { CheckoutSnapshot, MovementRow, OrderRow, PaymentRow, ReservationRow, StockRow } from "./checkout-invariants.ts";
import { checkCheckoutInvariants, type Violation } from "./checkout-invariants.ts";

/**
 * Runs one read-only SQL query and answers its rows (column names as stored: snake_case);
 * `all` runs several in one read transaction, so they see one moment of the database.
 */
export type SqlReader = ((sql: string) => Promise<Record<string, unknown>[]>) & {
  readonly all?: (sqls: readonly string[]) => Promise<Record<string, unknown>[][]>;
};

const readAll = (reader: SqlReader, sqls: readonly string[]) =>
  reader.all ? reader.all(sqls) : Promise.all(sqls.map((sql) => reader(sql)));

export interface CheckoutDatabases {
  readonly orders: SqlReader;
  readonly inventory: SqlReader;
  /** Absent while a run has no payment context: then every CONFIRMED order is a violation. */
  readonly payment: SqlReader | undefined;
  /** Only these tenants' rows (a shared database); absent: every row. */
  readonly tenants?: readonly string[];
}

/** Reads the tables of adapters/mikro-orm/{orders,inventory,payment}/ into plain rows. */
export async function loadCheckoutSnapshot(db: CheckoutDatabases): Promise<CheckoutSnapshot> {
  const tenants = db.tenants ? new Set(db.tenants) : undefined;
  const mine = <T extends { tenantId: string }>(rows: T[]) => (tenants ? rows.filter((r) => tenants.has(r.tenantId)) : rows);
  // Inventory commits its stock row, reservation and ledger together: read them at one moment.
  const inventoryRows = readAll(db.inventory, [
    "select `tenant_id`, `order_id`, `status`, `lines` from `inventory_reservations` order by `sequence`",
    "select `tenant_id`, `sku`, `location_id`, `kind`, `on_hand_delta`, `reserved_delta`, `order_id` from `inventory_movements` order by `sequence`",
    "select `tenant_id`, `sku`, `location_id`, `on_hand`, `reserved` from `inventory_stock`",
  ]);
  const [orders, reservations, movements, stock, payments] = await Promise.all([
    db
      .orders(
        "select `tenant_id`, `order_id`, `status`, `saga_state`, `totals`, `placed_at`, `deadline_at` from `orders` order by `sequence`",
      )
      .then((rows) => rows.map(toOrder)),
    inventoryRows.then(([rows]) => (rows ?? []).map(toReservation)),
    inventoryRows.then(([, rows]) => (rows ?? []).map(toMovement)),
    inventoryRows.then(([, , rows]) => (rows ?? []).map(toStock)),
    db.payment
      ? db
          .payment(
            "select `tenant_id`, `order_id`, `payment_id`, `status`, `amount_minor`, `currency`, `refunds` from `payment_payments` order by `sequence`",
          )
          .then((rows) => rows.map(toPayment))
      : Promise.resolve([] as PaymentRow[]),
  ]);
  return {
    orders: mine(orders),
    reservations: mine(reservations),
    movements: mine(movements),
    stock: mine(stock),
    payments: mine(payments),
  };
}

/**
 * Polls the databases until every order is final and the invariants hold (the contexts settle
 * one after another: an order can be CONFIRMED before inventory has committed its stock), or
 * until `settleBy` passes; then checks once more on a fresh read. Answers the violations
 * (empty = OK) and the snapshot.
 */
export async function checkWhenSettled(
  db: CheckoutDatabases,
  settleBy: Date,
  options: { readonly graceMs?: number; readonly pollMs?: number } = {},
): Promise<{ violations: Violation[]; snapshot: CheckoutSnapshot }> {
  for (;;) {
    const snapshot = await loadCheckoutSnapshot(db);
    const pending = snapshot.orders.some((o) => !["confirmed", "shipped", "delivered", "cancelled"].includes(o.status));
    const holds =
      checkCheckoutInvariants(snapshot, { now: new Date(), settleBy, graceMs: options.graceMs ?? 5_000 }).length === 0;
    if ((!pending && holds) || Date.now() > settleBy.getTime()) {
      // One more read: a saga may have moved stock or money after the orders row went final.
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 250));
      const last = await loadCheckoutSnapshot(db);
      const now = new Date();
      return {
        violations: checkCheckoutInvariants(last, { now, settleBy, graceMs: options.graceMs ?? 5_000 }),
        snapshot: last,
      };
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 250));
  }
}

/** A reader over a MariaDB database of the local server (`SHOPMESH_MYSQL_URL`); close it with `end()`. */
export async function mariaDbReader(mysqlUrl: string, database: string): Promise<SqlReader & { end(): Promise<void> }> {
  const { createConnection } = await import("mysql2/promise");
  const url = new URL(mysqlUrl);
  const connection = await createConnection({
    host: url.hostname,
    port: Number(url.port || 3306),
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    database,
    supportBigNumbers: true,
    bigNumberStrings: false,
    timezone: "Z",
  });
  const query = async (sql: string) => {
    const [rows] = await connection.query(sql);
    return rows as Record<string, unknown>[];
  };
  const all = async (sqls: readonly string[]) => {
    await connection.query("start transaction with consistent snapshot, read only");
    try {
      const results: Record<string, unknown>[][] = [];
      for (const sql of sqls) results.push(await query(sql));
      return results;
    } finally {
      await connection.query("commit");
    }
  };
  return Object.assign(query, { all, end: () => connection.end() });
}

/** A read-only reader over an SQLite file (the embedded process's `<context>.sqlite3`). */
export async function sqliteReader(file: string): Promise<SqlReader & { end(): Promise<void> }> {
  const { DatabaseSync } = await import("node:sqlite");
  const database = new DatabaseSync(file, { readOnly: true });
  const query = (sql: string) => database.prepare(sql).all() as Record<string, unknown>[];
  // Synchronous statements in one read transaction: one moment of the file.
  const all = async (sqls: readonly string[]) => {
    database.exec("begin");
    try {
      return sqls.map(query);
    } finally {
      database.exec("commit");
    }
  };
  return Object.assign(async (sql: string) => query(sql), { all, end: async () => database.close() });
}

function toOrder(row: Record<string, unknown>): OrderRow {
  const totals = json(row.totals) as { total?: { amountMinor?: number; currency?: string } };
  return {
    tenantId: String(row.tenant_id),
    orderId: String(row.order_id),
    status: String(row.status),
    sagaState: String(row.saga_state),
    totalMinor: Number(totals.total?.amountMinor ?? Number.NaN),
    currency: String(totals.total?.currency ?? ""),
    placedAt: date(row.placed_at) ?? new Date(0),
    deadlineAt: date(row.deadline_at),
  };
}

function toReservation(row: Record<string, unknown>): ReservationRow {
  return {
    tenantId: String(row.tenant_id),
    orderId: String(row.order_id),
    status: String(row.status),
    lines: json(row.lines) as ReservationRow["lines"],
  };
}

function toMovement(row: Record<string, unknown>): MovementRow {
  return {
    tenantId: String(row.tenant_id),
    sku: String(row.sku),
    locationId: String(row.location_id),
    kind: String(row.kind),
    onHandDelta: Number(row.on_hand_delta),
    reservedDelta: Number(row.reserved_delta),
    orderId: row.order_id === null || row.order_id === undefined ? null : String(row.order_id),
  };
}

function toStock(row: Record<string, unknown>): StockRow {
  return {
    tenantId: String(row.tenant_id),
    sku: String(row.sku),
    locationId: String(row.location_id),
    onHand: Number(row.on_hand),
    reserved: Number(row.reserved),
  };
}

function toPayment(row: Record<string, unknown>): PaymentRow {
  const refunds = json(row.refunds) as { amountMinor: number; status: string }[];
  return {
    tenantId: String(row.tenant_id),
    orderId: String(row.order_id),
    paymentId: String(row.payment_id),
    status: String(row.status),
    amountMinor: Number(row.amount_minor),
    currency: String(row.currency),
    refunds: refunds.map((r) => ({ amountMinor: Number(r.amountMinor), status: String(r.status) })),
  };
}

function json(value: unknown): unknown {
  if (typeof value === "string") return JSON.parse(value);
  if (Buffer.isBuffer(value)) return JSON.parse(value.toString("utf8"));
  return value;
}

function date(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  if (typeof value === "number" || typeof value === "bigint") return new Date(Number(value));
  const text = String(value);
  return new Date(
    /^\d+$/.test(text) ? Number(text) : text.includes("T") || text.endsWith("Z") ? text : `${text.replace(" ", "T")}Z`,
  );
}
