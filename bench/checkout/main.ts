// make bench-checkout: N concurrent shoppers check out against the distributed mode (every
// context its own process, tests/e2e/support/checkout-mesh.ts) on MariaDB, Redis, FerretDB and
// Kafka, for a bounded time and a bounded number of orders. Prints confirmed orders/s, p50/p99
// of PlaceOrder -> CONFIRMED (as seen by polling GetOrder every 50 ms), the invariant checker's
// verdict, MariaDB commits per order (Com_commit delta) and Kafka messages per order (sum of the
// high-water marks of the saga's topics, delta). Both counters are server-wide: anything else
// running on the shared servers at the same time is counted too (the bench prints the idle
// drift measured just before, to show it).
import { randomUUID } from "node:crypto";
import type { Kafka } from "kafkajs";
import { createKafka } from "../../adapters/kafka/kafka-client.ts";
import { OrderStatus } from "../../gen/shop/orders/v1/orders_pb.ts";
import {
  adminSession,
  checkout,
  meshClients,
  stockedProduct,
  verifiedShopper,
  waitForOrder,
} from "../../tests/e2e/support/checkout-actors.ts";
import { startCheckoutMesh } from "../../tests/e2e/support/checkout-mesh.ts";
import { EventTail } from "../../tests/e2e/support/event-tail.ts";
import { describeViolations } from "../../tests/support/invariants/checkout-invariants.ts";
import { checkWhenSettled, mariaDbReader } from "../../tests/support/invariants/load-checkout-snapshot.ts";

const SHOPPERS = Math.min(Number(process.env.BENCH_SHOPPERS ?? 8), 32);
const SECONDS = Math.min(Number(process.env.BENCH_SECONDS ?? 30), 300);
const MAX_ORDERS = Math.min(Number(process.env.BENCH_MAX_ORDERS ?? 400), 5_000);
const SAGA_TOPICS = ["order-events", "inventory-events", "payment-events", "shipping-events"];

const mysqlUrl = process.env.SHOPMESH_MYSQL_URL;
const brokers = process.env.SHOPMESH_KAFKA_BROKERS;
if (!mysqlUrl || !brokers)
  throw new Error("SHOPMESH_MYSQL_URL / SHOPMESH_KAFKA_BROKERS unset: make infra-up, then set -a; source .infra/env; set +a");

const kafka = createKafka({ brokers: brokers.split(","), clientId: "bench-checkout", log: () => {} });
const userEvents = new EventTail();
console.log(`bench-checkout: starting the ten processes (shoppers ${SHOPPERS}, up to ${SECONDS} s or ${MAX_ORDERS} orders)`);
const setupStart = Date.now();
const mesh = await startCheckoutMesh({ label: "bench" });
const status = await mariaDbReader(mysqlUrl, "information_schema");
try {
  const clients = meshClients(mesh);
  await userEvents.start(kafka, "user-events");
  const admin = await adminSession(mesh, clients, userEvents);
  const product = await stockedProduct(clients, admin, {
    name: `Bench mug ${randomUUID().slice(0, 6)}`,
    priceMinor: 1_250n,
    onHand: 1_000_000,
  });
  // One after the other: registration is not what is measured.
  const shoppers: Awaited<ReturnType<typeof verifiedShopper>>[] = [];
  for (let i = 0; i < SHOPPERS; i++) shoppers.push(await verifiedShopper(mesh, clients, userEvents));
  // One warm-up order per shopper (connections, JIT, caches), not counted.
  await Promise.all(
    shoppers.map(async (s) => {
      const { order } = await checkout(clients, s.token, [{ sku: product.sku, quantity: 1 }], "tok_success");
      await waitForOrder(clients, s.token, order.orderId, (o) => o.status !== OrderStatus.PENDING, 120_000);
    }),
  );
  console.log(`setup ${((Date.now() - setupStart) / 1000).toFixed(1)} s`);

  // Idle drift of the server-wide counters over 3 s (what others on the shared servers add).
  const idle0 = { commits: await comCommit(status), messages: await topicMessages(kafka) };
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  const idle1 = { commits: await comCommit(status), messages: await topicMessages(kafka) };

  const before = {
    commits: await comCommit(status),
    messages: await topicMessages(kafka),
    rows: await ownRows(status, Object.values(mesh.databases)),
    at: Date.now(),
  };
  const latencies: number[] = [];
  const outcomes = new Map<string, number>();
  let started = 0;
  const begin = Date.now();
  const until = begin + SECONDS * 1000;
  await Promise.all(
    shoppers.map(async (s) => {
      while (Date.now() < until && started < MAX_ORDERS) {
        started++;
        const { order } = await checkout(clients, s.token, [{ sku: product.sku, quantity: 1 }], "tok_success");
        const placedAt = performance.now();
        const final = await waitForOrder(clients, s.token, order.orderId, (o) => o.status !== OrderStatus.PENDING, 120_000, 50);
        const name = Object.entries(OrderStatus).find(([, value]) => value === final.status)?.[0] ?? String(final.status);
        outcomes.set(name, (outcomes.get(name) ?? 0) + 1);
        if (final.status === OrderStatus.CONFIRMED) latencies.push(performance.now() - placedAt);
      }
    }),
  );
  const elapsedS = (Date.now() - begin) / 1000;
  // Let the tail of the saga (commit, shipment, cart clearing, notifications) land before counting.
  const databases = await mesh.checkerDatabases();
  const { violations, snapshot } = await checkWhenSettled(databases, new Date(Date.now() + 60_000));
  await databases.end();
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const after = {
    commits: await comCommit(status),
    messages: await topicMessages(kafka),
    rows: await ownRows(status, Object.values(mesh.databases)),
    at: Date.now(),
  };
  const windowS = (after.at - before.at) / 1000;

  const confirmed = latencies.length;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]! : Number.NaN;
  const ordersCounted = started;
  const idleCommitsPerS = (idle1.commits - idle0.commits) / 3;
  const idleMessagesPerS = (idle1.messages.total - idle0.messages.total) / 3;
  console.log(
    `orders placed ${ordersCounted} in ${elapsedS.toFixed(1)} s by ${SHOPPERS} shoppers; outcomes ${JSON.stringify(Object.fromEntries(outcomes))}`,
  );
  console.log(`confirmed orders/s ${(confirmed / elapsedS).toFixed(2)}`);
  console.log(
    `PlaceOrder -> CONFIRMED p50 ${pct(0.5).toFixed(0)} ms, p99 ${pct(0.99).toFixed(0)} ms (GetOrder polled every 50 ms)`,
  );
  console.log(`invariant checker over ${snapshot.orders.length} orders: ${describeViolations(violations)}`);
  const commits = after.commits - before.commits;
  console.log(
    `MariaDB Com_commit per order ${(commits / ordersCounted).toFixed(1)} raw, ` +
      `${((commits - idleCommitsPerS * windowS) / ordersCounted).toFixed(1)} less the idle drift ` +
      `(server-wide counter; drift ${idleCommitsPerS.toFixed(1)}/s over a ${windowS.toFixed(0)} s window: an estimate on a shared server)`,
  );
  console.log(
    `the run's own databases, per order: ${((after.rows.outbox - before.rows.outbox) / ordersCounted).toFixed(2)} outbox events written, ` +
      `${((after.rows.processed - before.rows.processed) / ordersCounted).toFixed(2)} consumed events marked (each mark is one consumer transaction)`,
  );
  const perTopic = SAGA_TOPICS.map(
    (t) => `${t} ${((after.messages.byTopic[t]! - before.messages.byTopic[t]!) / ordersCounted).toFixed(2)}`,
  );
  console.log(
    `Kafka messages per order ${((after.messages.total - before.messages.total) / ordersCounted).toFixed(2)} (${perTopic.join(", ")}; idle drift ${idleMessagesPerS.toFixed(1)}/s)`,
  );
  if (violations.length > 0) process.exitCode = 1;
} catch (error) {
  console.error(
    mesh
      .logs()
      .split("\n")
      .filter((line) => /"level":(50|60)|error/i.test(line))
      .slice(-40)
      .join("\n"),
  );
  throw error;
} finally {
  await status.end();
  await userEvents.stop();
  await mesh.stop();
}

async function comCommit(reader: Awaited<ReturnType<typeof mariaDbReader>>): Promise<number> {
  const rows = await reader("show global status like 'Com_commit'");
  return Number(rows[0]?.Value ?? rows[0]?.VALUE ?? Number.NaN);
}

/** Rows of outbox_events and processed_events over the run's databases (exact, unlike Com_commit). */
async function ownRows(
  reader: Awaited<ReturnType<typeof mariaDbReader>>,
  databases: readonly string[],
): Promise<{ outbox: number; processed: number }> {
  const count = async (database: string, table: string) => {
    const known = await reader(
      `select count(*) as n from information_schema.tables where table_schema = '${database}' and table_name = '${table}'`,
    );
    if (Number(known[0]?.n ?? 0) === 0) return 0;
    return Number((await reader(`select count(*) as n from \`${database}\`.\`${table}\``))[0]?.n ?? 0);
  };
  let outbox = 0;
  let processed = 0;
  for (const database of databases) {
    outbox += await count(database, "outbox_events");
    processed += await count(database, "processed_events");
  }
  return { outbox, processed };
}

async function topicMessages(client: Kafka): Promise<{ total: number; byTopic: Record<string, number> }> {
  const admin = client.admin();
  await admin.connect();
  try {
    const byTopic: Record<string, number> = {};
    for (const topic of SAGA_TOPICS) {
      const offsets = await admin.fetchTopicOffsets(topic);
      byTopic[topic] = offsets.reduce((sum, o) => sum + Number(o.high), 0);
    }
    return { total: Object.values(byTopic).reduce((a, b) => a + b, 0), byTopic };
  } finally {
    await admin.disconnect();
  }
}
