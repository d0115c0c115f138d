import { randomBytes } from "node:crypto";
import { mkdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MongoClient } from "mongodb";
import { createTenant } from "../../../core/auth/tenant-admin.ts";
import { systemClock } from "../../../core/kit/clock.ts";
import { parseTenantId, type RequestContext } from "../../../core/kit/request-context.ts";
import { Roles } from "../../../core/kit/roles.ts";
import { MikroOrmTenantRepository } from "../../../adapters/mikro-orm/auth/mikro-orm-tenant-repository.ts";
import { openSqlDatabase } from "../../../adapters/mikro-orm/sql-database.ts";
import { PAYMENT_WEBHOOK_PATH } from "../../../adapters/payment-provider/provider-webhook-route.ts";
import { JWKS_PATH } from "../../../adapters/rpc/jwks-http-route.ts";
import { authEntities } from "../../../services/auth/auth-module.ts";
import { tenantEventMapper } from "../../../services/auth/tenant-event-mapper.ts";
import { type CheckoutDatabases, mariaDbReader } from "../../support/invariants/load-checkout-snapshot.ts";
import { requiredEnv } from "../../support/required-env.ts";
import { uniqueName } from "../../support/unique-name.ts";
import { answersHttp, freePort, type ServiceProcess, startServiceProcess } from "./service-process.ts";

const root = new URL("../../../", import.meta.url).pathname;

/** Every context of the checkout, each as its own process (`services/<name>/main.ts`). */
export const CHECKOUT_PROCESSES = [
  "auth",
  "users",
  "catalog",
  "inventory",
  "cart",
  "orders",
  "payment",
  "payment-sandbox",
  "shipping",
  "notifications",
] as const;
export type CheckoutProcessName = (typeof CHECKOUT_PROCESSES)[number];

const SQL_CONTEXTS = ["auth", "users", "inventory", "cart", "orders", "payment", "shipping", "notifications"] as const;
const MONGO_CONTEXTS = ["catalog"] as const;

export interface CheckoutMeshOptions {
  /** Short tag in database and tenant names (`shopmesh_e2e_<label>_<context>_...`). */
  readonly label: string;
  /** Extra environment per process (test hooks, shorter deadlines). */
  readonly env?: Partial<Record<CheckoutProcessName, Record<string, string>>>;
}

export interface CheckoutMesh {
  readonly tenant: string;
  /** The tenant's first admin; the invitation (PasswordResetRequested) comes by user-events. */
  readonly adminEmail: string;
  readonly databases: Readonly<Record<(typeof SQL_CONTEXTS)[number] | (typeof MONGO_CONTEXTS)[number], string>>;
  /** The running process of each context (replaced by `restart`). */
  process(name: CheckoutProcessName): ServiceProcess;
  /** `127.0.0.1:<port>` of a context's gRPC server. */
  target(name: CheckoutProcessName): string;
  /** The payment sandbox's secret key (for its /v1/test/charges count). */
  readonly sandboxSecretKey: string;
  /** Starts a context again on its port with its environment (plus `extraEnv`), after a stop or a crash. */
  restart(name: CheckoutProcessName, extraEnv?: Record<string, string>): Promise<ServiceProcess>;
  /** Readers over the orders, inventory and payment databases, for the invariant checker. */
  checkerDatabases(): Promise<CheckoutDatabases & { end(): Promise<void> }>;
  /** Every process's output, newest last (for a failing test's message). */
  logs(): string;
  /** Stops every process, drops every database, releases the mesh lock. */
  stop(): Promise<void>;
}

/**
 * Starts auth, users, catalog, inventory, cart, orders, payment, the payment sandbox provider,
 * shipping and notifications as separate processes on MariaDB, Redis, FerretDB, Kafka and the
 * local SMTP server, with databases of their own, secrets generated for this run, and a tenant
 * (created the way `tenant-cli create` does, EUR, with a first admin).
 *
 * The processes' Kafka consumer groups and topics are the fixed ones of the mesh, so two meshes
 * on one broker would take each other's events: a machine-wide lock keeps one checkout mesh at
 * a time (the journey, the failure tests and the bench wait for each other).
 */
export async function startCheckoutMesh(options: CheckoutMeshOptions): Promise<CheckoutMesh> {
  const release = await acquireMeshLock(`${options.label} (pid ${process.pid})`);
  const label = options.label;
  const tenant = uniqueName(`e2e-${label}`).replaceAll("_", "-").toLowerCase();
  const adminEmail = `admin-${randomBytes(4).toString("hex")}@example.com`;
  const databases = Object.fromEntries(
    [...SQL_CONTEXTS, ...MONGO_CONTEXTS].map((name) => [name, uniqueName(`shopmesh_e2e_${label}_${name.slice(0, 6)}`)]),
  ) as Record<(typeof SQL_CONTEXTS)[number] | (typeof MONGO_CONTEXTS)[number], string>;
  const ports = Object.fromEntries(
    await Promise.all(CHECKOUT_PROCESSES.map(async (name) => [name, await freePort()] as const)),
  ) as Record<CheckoutProcessName, number>;
  const target = (name: CheckoutProcessName) => `127.0.0.1:${ports[name]}`;
  const url = (name: CheckoutProcessName) => `http://127.0.0.1:${ports[name]}`;
  const sandboxSecretKey = randomBytes(24).toString("hex");
  const providerWebhookSecret = randomBytes(24).toString("hex");
  const jwks = { SHOPMESH_AUTH_JWKS_URL: `${url("auth")}${JWKS_PATH}` };

  const envOf: Record<CheckoutProcessName, Record<string, string>> = {
    auth: {
      SHOPMESH_AUTH_DATABASE: databases.auth,
      SHOPMESH_AUTH_KEY_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      SHOPMESH_USERS_ADDRESS: target("users"),
    },
    users: { ...jwks, SHOPMESH_USERS_DATABASE: databases.users, SHOPMESH_AUTH_GRPC_TARGET: target("auth") },
    catalog: { ...jwks, SHOPMESH_CATALOG_DATABASE: databases.catalog },
    inventory: { ...jwks, SHOPMESH_INVENTORY_DATABASE: databases.inventory },
    cart: {
      ...jwks,
      SHOPMESH_CART_DATABASE: databases.cart,
      SHOPMESH_CATALOG_GRPC_TARGET: target("catalog"),
      SHOPMESH_INVENTORY_GRPC_TARGET: target("inventory"),
      // Ten processes on a shared 2-core machine: catalog may take longer than the 2 s default.
      SHOPMESH_CART_DEPENDENCY_TIMEOUT_MS: "8000",
    },
    orders: {
      ...jwks,
      SHOPMESH_ORDERS_DATABASE: databases.orders,
      SHOPMESH_CART_GRPC_TARGET: target("cart"),
      SHOPMESH_PAYMENT_GRPC_TARGET: target("payment"),
    },
    payment: {
      ...jwks,
      SHOPMESH_PAYMENT_DATABASE: databases.payment,
      SHOPMESH_PAYMENT_PROVIDER_URL: url("payment-sandbox"),
      SHOPMESH_PAYMENT_PROVIDER_SECRET_KEY: sandboxSecretKey,
      SHOPMESH_PAYMENT_WEBHOOK_SECRET: providerWebhookSecret,
    },
    "payment-sandbox": {
      SHOPMESH_PAYMENT_SANDBOX_SECRET_KEY: sandboxSecretKey,
      SHOPMESH_PAYMENT_SANDBOX_WEBHOOK_SECRET: providerWebhookSecret,
      SHOPMESH_PAYMENT_SANDBOX_WEBHOOK_URL: `${url("payment")}${PAYMENT_WEBHOOK_PATH}`,
    },
    shipping: {
      ...jwks,
      SHOPMESH_SHIPPING_DATABASE: databases.shipping,
      SHOPMESH_SHIPPING_CARRIER_WEBHOOK_SECRET: randomBytes(24).toString("hex"),
    },
    notifications: {
      ...jwks,
      SHOPMESH_NOTIFICATIONS_DATABASE: databases.notifications,
      SHOPMESH_SMTP_HOST: requiredEnv("SHOPMESH_SMTP_HOST"),
      SHOPMESH_SMTP_PORT: requiredEnv("SHOPMESH_SMTP_PORT"),
      SHOPMESH_USERS_GRPC_TARGET: target("users"),
    },
  };
  for (const name of CHECKOUT_PROCESSES) Object.assign(envOf[name], options.env?.[name] ?? {});

  const running = new Map<CheckoutProcessName, ServiceProcess>();
  const stopped: ServiceProcess[] = [];
  const start = async (name: CheckoutProcessName, extraEnv: Record<string, string> = {}) => {
    const started = await startServiceProcess(
      name,
      `${root}services/${name}/main.ts`,
      ports[name],
      { ...envOf[name], ...extraEnv },
      90_000,
      name === "payment-sandbox" ? answersHttp : undefined,
    );
    running.set(name, started);
    return started;
  };
  const stopAll = async () => {
    await Promise.allSettled([...running.values()].map((p) => p.stop()));
  };

  try {
    await createMeshTenant(databases.auth, tenant, adminEmail);
    await start("auth");
    // Everything else at once; each waits for its own /readyz (its tenant replica replayed).
    await Promise.all(CHECKOUT_PROCESSES.filter((name) => name !== "auth").map((name) => start(name)));
  } catch (error) {
    await stopAll();
    await dropDatabases(databases).catch(() => undefined);
    await release();
    throw error;
  }

  return {
    tenant,
    adminEmail,
    databases,
    sandboxSecretKey,
    process(name) {
      const p = running.get(name);
      if (!p) throw new Error(`${name} is not running`);
      return p;
    },
    target,
    async restart(name, extraEnv = {}) {
      const previous = running.get(name);
      if (previous) {
        await previous.stop();
        stopped.push(previous);
      }
      return start(name, extraEnv);
    },
    async checkerDatabases() {
      const mysqlUrl = requiredEnv("SHOPMESH_MYSQL_URL");
      const [orders, inventory, payment] = await Promise.all([
        mariaDbReader(mysqlUrl, databases.orders),
        mariaDbReader(mysqlUrl, databases.inventory),
        mariaDbReader(mysqlUrl, databases.payment),
      ]);
      return {
        orders,
        inventory,
        payment,
        tenants: [tenant],
        async end() {
          await Promise.allSettled([orders.end(), inventory.end(), payment.end()]);
        },
      };
    },
    logs() {
      return [...stopped, ...running.values()].map((p) => `----- ${p.name}\n${p.output().slice(-20_000)}`).join("\n");
    },
    async stop() {
      try {
        await stopAll();
        await dropDatabases(databases);
      } finally {
        await release();
      }
    },
  };
}

/** What `tenant-cli create` does: the tenant row and TenantCreated (with the first admin) in auth's database. */
async function createMeshTenant(authDatabase: string, tenant: string, adminEmail: string): Promise<void> {
  const authDb = await openSqlDatabase(
    { kind: "mysql", url: requiredEnv("SHOPMESH_MYSQL_URL"), database: authDatabase },
    authEntities,
  );
  const operator: RequestContext = {
    tenantId: parseTenantId("platform"),
    caller: { userId: "e2e", roles: [Roles.platformOperator] },
    correlationId: "e2e-checkout",
    signal: AbortSignal.timeout(30_000),
  };
  try {
    await createTenant({ tenants: new MikroOrmTenantRepository(authDb.em, tenantEventMapper), clock: systemClock }, operator, {
      id: parseTenantId(tenant),
      displayName: "E2E Checkout",
      currency: "EUR",
      defaultLocale: "en",
      firstAdminEmail: adminEmail,
    });
  } finally {
    await authDb.close();
  }
}

async function dropDatabases(databases: Record<string, string>): Promise<void> {
  const url = new URL(requiredEnv("SHOPMESH_MYSQL_URL"));
  const { createConnection } = await import("mysql2/promise");
  const connection = await createConnection({
    host: url.hostname,
    port: Number(url.port),
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
  });
  try {
    for (const name of SQL_CONTEXTS) await connection.query(`drop database if exists \`${databases[name]}\``);
  } finally {
    await connection.end();
  }
  const mongo = await MongoClient.connect(requiredEnv("SHOPMESH_MONGO_URL"));
  try {
    for (const name of MONGO_CONTEXTS) await mongo.db(databases[name]).dropDatabase();
  } finally {
    await mongo.close();
  }
}

const LOCK_DIR = join(tmpdir(), "shopmesh-checkout-mesh.lock");
const STALE_LOCK_MS = 15 * 60_000;

/**
 * One checkout mesh at a time on this machine (a directory created atomically). A lock older
 * than 15 minutes is taken as left by a killed run. Waits up to 10 minutes.
 */
async function acquireMeshLock(owner: string, waitMs = 10 * 60_000): Promise<() => Promise<void>> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      await mkdir(LOCK_DIR);
      await writeFile(join(LOCK_DIR, "owner"), owner);
      return () => rm(LOCK_DIR, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const since = await stat(LOCK_DIR).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (since > STALE_LOCK_MS) await rm(LOCK_DIR, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`another checkout mesh holds ${LOCK_DIR} for ${Math.round(since / 1000)} s`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}
