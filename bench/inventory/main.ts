// make bench-inventory: reservations/s and p99 through the inventory store on real MariaDB, on one
// hot SKU and spread over 1,000 SKUs, next to the raw figure for one conditional UPDATE per
// transaction on the same tables in the same run, in interleaved rounds (medians reported). Needs
// the local servers (make infra-up).
import { randomId } from "../../core/kit/ids.ts";
import { systemClock } from "../../core/kit/clock.ts";
import { parseTenantId, type RequestContext } from "../../core/kit/request-context.ts";
import { DEFAULT_INVENTORY_POLICY, type InventoryDeps } from "../../core/inventory/inventory-deps.ts";
import { reserveStock } from "../../core/inventory/reservations.ts";
import { inventoryEntities, StockRecord } from "../../adapters/mikro-orm/inventory/inventory-records.ts";
import { DEFAULT_GROUP_COMMIT, MikroOrmInventoryStore } from "../../adapters/mikro-orm/inventory/mikro-orm-inventory-store.ts";
import { openSqlDatabase } from "../../adapters/mikro-orm/sql-database.ts";
import { inventoryEventMapper } from "../../services/inventory/inventory-event-mapper.ts";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
/** Rounds of the four cases, interleaved (raw next to the store each time): the medians are reported, so a load spike on the shared VM skews one round, not the ratio. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 32);
const SKUS = 1_000;
/** Group commit of the store (defaults: `DEFAULT_GROUP_COMMIT`); BENCH_GROUP_LINES=1 runs one reservation per batch. */
const GROUPING = {
  ...DEFAULT_GROUP_COMMIT,
  maxLines: Number(process.env.BENCH_GROUP_LINES ?? DEFAULT_GROUP_COMMIT.maxLines),
  maxInFlight: Number(process.env.BENCH_GROUP_IN_FLIGHT ?? DEFAULT_GROUP_COMMIT.maxInFlight),
};
const url = process.env.SHOPMESH_MYSQL_URL;
if (!url) throw new Error("SHOPMESH_MYSQL_URL is not set: make infra-up, then set -a; source .infra/env; set +a");

const database = `shopmesh_bench_inventory_${Date.now()}`;
const db = await openSqlDatabase({ kind: "mysql", url, database }, inventoryEntities);
const ctx: RequestContext = {
  tenantId: parseTenantId("bench"),
  caller: undefined,
  correlationId: "bench",
  signal: new AbortController().signal,
};
const store = new MikroOrmInventoryStore(db.em, inventoryEventMapper, undefined, {}, GROUPING);
const deps: InventoryDeps = { store, clock: systemClock, newId: randomId, policy: DEFAULT_INVENTORY_POLICY };

interface Figure {
  readonly name: string;
  readonly perSecond: number;
  readonly p99Ms: number;
}

/** Runs `op` with IN_FLIGHT callers for SECONDS; counts completions and their latencies. */
async function measure(name: string, op: (i: number) => Promise<unknown>): Promise<Figure> {
  const latencies: number[] = [];
  const until = performance.now() + SECONDS * 1000;
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (performance.now() < until) {
        const started = performance.now();
        await op(next++);
        latencies.push(performance.now() - started);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return {
    name,
    perSecond: latencies.length / SECONDS,
    p99Ms: latencies[Math.floor(latencies.length * 0.99)] ?? 0,
  };
}

async function seed(prefix: string, count: number): Promise<void> {
  const now = new Date();
  const rows = Array.from({ length: count }, (_, i) => ({
    tenantId: "bench",
    sku: `${prefix}-${i}`,
    locationId: "main",
    onHand: 10_000_000,
    reserved: 0,
    version: 1,
    updatedAt: now,
  }));
  await db.em.fork().insertMany(StockRecord, rows);
}

const rawUpdate = (sku: string) =>
  db.em
    .fork()
    .transactional((tx) =>
      tx.execute(
        "update inventory_stock set reserved = reserved + 1, version = version + 1 where tenant_id = ? and sku = ? and location_id = 'main' and on_hand - reserved >= 1",
        ["bench", sku],
        "run",
      ),
    );
let order = 0;
const reserve = (sku: string) =>
  reserveStock(deps, ctx, { orderId: `bench-${++order}-${randomId().slice(0, 8)}`, lines: [{ sku, quantity: 1 }] });

try {
  await seed("hot", 1);
  await seed("spread", SKUS);
  await seed("raw-hot", 1);
  await seed("raw-spread", SKUS);
  const cases: [string, (i: number) => Promise<unknown>][] = [
    ["raw UPDATE ... WHERE available >= n, one hot SKU", () => rawUpdate("raw-hot-0")],
    ["ReserveStock (store), one hot SKU", () => reserve("hot-0")],
    [`raw UPDATE ... WHERE available >= n, ${SKUS} SKUs`, (i) => rawUpdate(`raw-spread-${i % SKUS}`)],
    [`ReserveStock (store), ${SKUS} SKUs`, (i) => reserve(`spread-${i % SKUS}`)],
  ];
  const rounds: Figure[][] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const figures: Figure[] = [];
    for (const [name, op] of cases) figures.push(await measure(name, op));
    rounds.push(figures);
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  const figures = cases.map(([name], c) => ({
    name,
    perSecond: median(rounds.map((r) => (r[c] as Figure).perSecond)),
    p99Ms: median(rounds.map((r) => (r[c] as Figure).p99Ms)),
  }));
  process.stdout.write(
    `inventory reservations on MariaDB, ${IN_FLIGHT} in flight, ${SECONDS}s each, median of ${ROUNDS} interleaved rounds` +
      ` (group commit: up to ${GROUPING.maxLines} lines a batch, ${GROUPING.maxInFlight} batches in flight)\n`,
  );
  for (const f of figures) {
    process.stdout.write(`  ${f.name.padEnd(58)} ${f.perSecond.toFixed(0).padStart(6)}/s  p99 ${f.p99Ms.toFixed(1)} ms\n`);
  }
  const [rawHot, hot, rawSpread, spread] = figures as [Figure, Figure, Figure, Figure];
  process.stdout.write(
    `  ratio to raw: hot ${(hot.perSecond / rawHot.perSecond).toFixed(2)}x, spread ${(spread.perSecond / rawSpread.perSecond).toFixed(2)}x (goal >= 0.5x)\n`,
  );
  const perRound = (r: Figure[], a: number, b: number) => ((r[b] as Figure).perSecond / (r[a] as Figure).perSecond).toFixed(2);
  process.stdout.write(
    `  per round: hot ${rounds.map((r) => perRound(r, 0, 1)).join(" ")}, spread ${rounds.map((r) => perRound(r, 2, 3)).join(" ")}\n`,
  );
  process.stdout.write(`  transactions retried (deadlock / lock wait / duplicate): ${store.retries}\n`);
  process.stdout.write(
    `  guessed reservations written as predicted (first statement): ${store.guessesCommittedAtOnce}; gave way to the locked path: ${store.guessesGivenWay}\n`,
  );
  process.stdout.write(
    `  batches: ${store.guessBatches}, ${(store.guessBatchMembers / Math.max(1, store.guessBatches)).toFixed(1)} reservations each on average\n`,
  );
} finally {
  await db.em.getConnection().execute(`drop database if exists \`${database}\``);
  await db.close();
}
