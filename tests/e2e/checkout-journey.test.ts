import { randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKafka } from "../../adapters/kafka/kafka-client.ts";
import { OrderStatus, TimelineStep } from "../../gen/shop/orders/v1/orders_pb.ts";
import { describeViolations } from "../support/invariants/checkout-invariants.ts";
import { type CheckoutDatabases, checkWhenSettled, sqliteReader } from "../support/invariants/load-checkout-snapshot.ts";
import { mailApi } from "../support/mail-api.ts";
import { requiredEnv } from "../support/required-env.ts";
import {
  adminSession,
  anonymous,
  bearer,
  checkout,
  deliverShipment,
  type MeshClients,
  meshClients,
  retryWhile,
  sandboxCharges,
  stockedProduct,
  verifiedShopper,
  waitForOrder,
} from "./support/checkout-actors.ts";
import { type CheckoutMesh, startCheckoutMesh } from "./support/checkout-mesh.ts";
import { EventTail } from "./support/event-tail.ts";
import { freePort, type ServiceProcess, startServiceProcess } from "./support/service-process.ts";

const root = new URL("../../", import.meta.url).pathname;

interface JourneySetting {
  readonly tenant: string;
  readonly clients: MeshClients;
  readonly adminToken: string;
  /** The provider's own count of charges for an order, where the provider is a process of its own. */
  readonly sandboxCharges?: (orderId: string) => Promise<number>;
  readonly checkerDatabases: () => Promise<CheckoutDatabases & { end(): Promise<void> }>;
  readonly logs: () => string;
}

/**
 * register -> verify by the emailed link -> login -> search -> cart -> ValidateForCheckout ->
 * PlaceOrder -> CONFIRMED -> stock committed -> shipment -> DELIVERED -> emails -> cart emptied
 * -> the invariant checker on orders, inventory and payment.
 */
async function shopperJourney(setting: JourneySetting): Promise<void> {
  const { clients, tenant, adminToken: admin } = setting;
  const anon = anonymous(tenant);
  const mail = mailApi();
  const word = `kettle${randomUUID().slice(0, 6)}`;
  const product = await stockedProduct(clients, admin, { name: `Copper ${word}`, priceMinor: 2_450n, onHand: 5 });

  // Register, then verify with the link of the email the notifications context sent.
  const email = `shopper-${randomUUID().slice(0, 8)}@example.com`;
  const registered = await retryWhile(Code.NotFound, () =>
    clients.users.register({ email, password: "shopper passphrase 42", displayName: "Ada", idempotencyKey: randomUUID() }, anon),
  );
  const [verificationMail] = await mail.waitFor(email, 1, 60_000);
  expect(verificationMail?.subject, setting.logs()).toBe("Verify your email address");
  const token = new URL(/https?:\/\/\S+/.exec(verificationMail!.text)![0]).searchParams.get("token");
  expect(token).toBeTruthy();
  await clients.users.verifyEmail({ token: token! }, anon);
  const login = await clients.auth.login({ email, password: "shopper passphrase 42" }, anon);
  const shopper = login.tokens!.accessToken;
  expect(login.userId).toBe(registered.user!.userId);

  // Browse: a word of the name finds it (catalog's own term index).
  await expect
    .poll(async () => (await clients.catalog.searchProducts({ query: word }, anon)).products.map((p) => p.productId), {
      timeout: 20_000,
      interval: 200,
    })
    .toContain(product.productId);

  // Cart -> ValidateForCheckout -> PlaceOrder.
  const { order: placed } = await checkout(clients, shopper, [{ sku: product.sku, quantity: 2 }], "tok_success");
  expect(placed.status).toBe(OrderStatus.PENDING);
  expect(placed.totals?.total?.currencyCode).toBe("EUR");
  expect(placed.totals!.total!.amountMinor).toBeGreaterThanOrEqual(4_900n);

  const confirmed = await waitForOrder(clients, shopper, placed.orderId, (o) => o.status !== OrderStatus.PENDING);
  expect(confirmed.status, setting.logs()).toBe(OrderStatus.CONFIRMED);
  expect(confirmed.paymentId).not.toBe("");
  if (setting.sandboxCharges) expect(await setting.sandboxCharges(placed.orderId)).toBe(1);
  // Inventory commits the reservation when it consumes OrderConfirmed: 5 on hand -> 3, none held.
  await expect
    .poll(
      async () =>
        (await clients.inventory.getStock({ sku: product.sku }, bearer(admin))).levels.map((l) => [
          l.onHandQuantity,
          l.reservedQuantity,
        ]),
      { timeout: 20_000, interval: 200 },
    )
    .toEqual([[3, 0]]);

  // Shipping made a shipment from OrderConfirmed; the admin reports it picked up and delivered.
  await deliverShipment(clients, admin, placed.orderId);
  const delivered = await waitForOrder(clients, shopper, placed.orderId, (o) => o.status === OrderStatus.DELIVERED, 30_000);
  expect(delivered.status).toBe(OrderStatus.DELIVERED);
  expect(delivered.shipmentId).not.toBe("");
  expect(delivered.shippingAddress?.countryCode).toBe("GB");
  expect(delivered.timeline.map((t) => t.step)).toEqual(
    expect.arrayContaining([
      TimelineStep.PLACED,
      TimelineStep.STOCK_RESERVED,
      TimelineStep.PAYMENT_SUCCEEDED,
      TimelineStep.CONFIRMED,
      TimelineStep.SHIPPED,
      TimelineStep.DELIVERED,
    ]),
  );

  // Emails read back from the SMTP server: verification, confirmed, shipped, delivered.
  const subjects = (await mail.waitFor(email, 4, 30_000)).map((m) => m.subject);
  expect(subjects).toEqual(
    expect.arrayContaining([
      "Verify your email address",
      `Order ${placed.orderId} confirmed`,
      `Order ${placed.orderId} is on its way`,
      `Order ${placed.orderId} delivered`,
    ]),
  );

  // The ordered cart was emptied (cart consumes OrderConfirmed).
  await expect
    .poll(async () => (await clients.cart.getCart({}, bearer(shopper))).cart?.lines.length ?? 0, { timeout: 15_000 })
    .toBe(0);

  const databases = await setting.checkerDatabases();
  try {
    const { violations, snapshot } = await checkWhenSettled(databases, new Date(Date.now() + 30_000));
    expect(snapshot.orders.map((o) => o.orderId)).toContain(placed.orderId);
    expect(violations, describeViolations(violations)).toEqual([]);
  } finally {
    await databases.end();
  }
}

// Ten processes (auth, users, catalog, inventory, cart, orders, payment, the payment sandbox
// provider, shipping, notifications) on MariaDB, Redis, FerretDB, Kafka and the local SMTP server.
describe("checkout journey across every context's process", () => {
  const kafka = createKafka({
    brokers: requiredEnv("SHOPMESH_KAFKA_BROKERS").split(","),
    clientId: "e2e-checkout",
    log: () => {},
  });
  const userEvents = new EventTail();
  let mesh: CheckoutMesh;
  let clients: MeshClients;

  beforeAll(async () => {
    mesh = await startCheckoutMesh({ label: "co" });
    clients = meshClients(mesh);
    await userEvents.start(kafka, "user-events");
  }, 600_000);

  afterAll(async () => {
    await userEvents.stop();
    await mesh?.stop();
  }, 120_000);

  it("when a shopper registers, verifies, finds a product, checks out and the parcel is delivered, then every step holds and the books balance", async () => {
    await shopperJourney({
      tenant: mesh.tenant,
      clients,
      adminToken: await adminSession(mesh, clients, userEvents),
      sandboxCharges: (orderId) => sandboxCharges(mesh, orderId),
      checkerDatabases: () => mesh.checkerDatabases(),
      logs: () => mesh.logs(),
    });
  }, 300_000);

  it("when card numbers are sent where a payment token belongs, then each is refused and no table or log line of any context holds one", async () => {
    const admin = await adminSession(mesh, clients, userEvents);
    const shopper = await verifiedShopper(mesh, clients, userEvents);
    const mug = await stockedProduct(clients, admin, { name: "Card-scan mug", priceMinor: 1_200n, onHand: 5 });
    // Plain, spaced and dashed forms of the providers' published test cards.
    const attempts = TEST_CARD_NUMBERS.flatMap((pan) => [pan, pan.replace(/(\d{4})(?=\d)/g, "$1-")]);
    for (const [i, token] of attempts.entries()) {
      const refused = await checkout(clients, shopper.token, i === 0 ? [{ sku: mug.sku, quantity: 1 }] : [], token).then(
        () => "placed" as const,
        (error: unknown) => ConnectError.from(error).code,
      );
      expect(refused, `PlaceOrder with ${token.slice(0, 4)}…`).toBe(Code.InvalidArgument);
    }
    const leaks = await cardNumbersStored(Object.values(mesh.databases), mesh.logs());
    expect(leaks).toEqual([]);
    // The scan itself finds a number in any dress.
    expect(await cardNumbersStored([], 'token":"5555 5555-5555.4444"')).toEqual(["process output: 5555…"]);
  }, 300_000);
});

/** Visa, Visa debit, Mastercard, Amex, Discover: the test numbers every provider publishes. */
const TEST_CARD_NUMBERS = ["4242424242424242", "4000056655665556", "5555555555554444", "378282246310005", "6011111111111117"];

/**
 * Every row of every table in the run's MariaDB databases and every line the processes wrote,
 * searched for the test card numbers (digits with any separators between them): where each is found.
 */
async function cardNumbersStored(databases: readonly string[], logs: string): Promise<string[]> {
  const digitsOnly = (text: string) => text.replace(/(?<=\d)[^0-9a-zA-Z]{1,3}(?=\d)/g, "");
  const found = (text: string) => TEST_CARD_NUMBERS.filter((pan) => digitsOnly(text).includes(pan));
  const leaks = found(logs).map((pan) => `process output: ${pan.slice(0, 4)}…`);
  const url = new URL(requiredEnv("SHOPMESH_MYSQL_URL"));
  const { createConnection } = await import("mysql2/promise");
  const connection = await createConnection({
    host: url.hostname,
    port: Number(url.port || 3306),
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
  });
  try {
    for (const database of databases) {
      const [tables] = await connection.query("select table_name as name from information_schema.tables where table_schema = ?", [
        database,
      ]);
      for (const { name } of tables as { name: string }[]) {
        const [rows] = await connection.query(`select * from \`${database}\`.\`${name}\``);
        const text = JSON.stringify(rows, (_key, value: unknown) =>
          Buffer.isBuffer(value) || value instanceof Uint8Array ? Buffer.from(value).toString("latin1") : value,
        );
        leaks.push(...found(text).map((pan) => `${database}.${name}: ${pan.slice(0, 4)}…`));
      }
    }
  } finally {
    await connection.end();
  }
  return leaks;
}

// The same journey in the embedded process (`make run`): SQLite files, in-process bus and
// transport, the in-memory payment sandbox; mail to the local SMTP server.
describe("checkout journey in the embedded process", () => {
  let dataDir: string;
  let embedded: ServiceProcess | undefined;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "shopmesh-embedded-checkout-"));
    embedded = await startServiceProcess(
      "embedded",
      `${root}services/embedded/main.ts`,
      await freePort(),
      {
        SHOPMESH_DATA_DIR: dataDir,
        SHOPMESH_SMTP_HOST: requiredEnv("SHOPMESH_SMTP_HOST"),
        SHOPMESH_SMTP_PORT: requiredEnv("SHOPMESH_SMTP_PORT"),
      },
      120_000,
    );
  }, 180_000);

  afterAll(async () => {
    await embedded?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("when a shopper of the demo tenant checks out and the parcel is delivered, then every step holds and the books balance", async () => {
    const one = `127.0.0.1:${embedded!.port}`;
    const clients = meshClients({ target: () => one });
    const accounts = (await readFile(join(dataDir, "demo-accounts.txt"), "utf8"))
      .trim()
      .split("\n")
      .map((l) => l.split("\t"));
    const [, adminEmail = "", adminPassword = ""] = accounts.find(([, email]) => email === "admin@demo.shop") ?? [];
    const login = await clients.auth.login({ email: adminEmail, password: adminPassword }, anonymous("demo"));
    const sqlite = (context: string) => sqliteReader(join(dataDir, `${context}.sqlite3`));
    await shopperJourney({
      tenant: "demo",
      clients,
      adminToken: login.tokens!.accessToken,
      async checkerDatabases() {
        const [orders, inventory, payment] = await Promise.all([sqlite("orders"), sqlite("inventory"), sqlite("payment")]);
        return {
          orders,
          inventory,
          payment,
          tenants: ["demo"],
          end: async () => {
            await Promise.all([orders.end(), inventory.end(), payment.end()]);
          },
        };
      },
      logs: () => embedded!.output(),
    });
  }, 300_000);
});
