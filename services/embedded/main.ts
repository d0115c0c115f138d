// shopmesh embedded: every context in one process on one port, embedded adapters, no servers.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { repositoryTenantDirectory } from "../../core/auth/repository-tenant-directory.ts";
import { systemClock } from "../../core/kit/clock.ts";
import { readConfig } from "../../adapters/config/env-config.ts";
import { createMemoryEventBus } from "../../adapters/memory/memory-event-bus.ts";
import { openSqlDatabase } from "../../adapters/mikro-orm/sql-database.ts";
import { createLogger } from "../../adapters/observability/logger.ts";
import { createMemoryLoginLimiter } from "../../adapters/memory/auth/memory-login-limiter.ts";
import { createRpcUserAccessLookup } from "../../adapters/rpc/auth/rpc-user-access-lookup.ts";
import { accessTokenSettings } from "../auth/auth-config.ts";
import { authEntities, authModule } from "../auth/auth-module.ts";
import { loginSettings } from "../auth/login-config.ts";
import { platformModule } from "../platform/platform-module.ts";
import { createMemoryProfileCache } from "../../adapters/memory/users/memory-profile-cache.ts";
import { createAuthCredentialRegistry } from "../users/auth-credential-registry.ts";
import { usersEntities, usersModule } from "../users/users-module.ts";
import { createCatalogProductCatalog } from "../reviews/catalog-product-catalog.ts";
import { memoryReviewStores } from "../reviews/review-stores.ts";
import { reviewsModule } from "../reviews/reviews-module.ts";
import { embeddedCatalogModule } from "../catalog/embedded-catalog.ts";
import { inventoryEntities, inventoryModule } from "../inventory/inventory-module.ts";
import { randomId } from "../../core/kit/ids.ts";
import { createSandboxCarrier } from "../../adapters/carrier/sandbox-carrier.ts";
import { embeddedWebhookSecret } from "../shipping/embedded-webhook-secret.ts";
import { shippingEntities, shippingModule } from "../shipping/shipping-module.ts";
import { mikroOrmHealthProbe } from "../../adapters/mikro-orm/mikro-orm-health-probe.ts";
import { createRpcAvailabilitySource } from "../../adapters/rpc/cart/rpc-availability-source.ts";
import { createRpcPriceSource } from "../../adapters/rpc/cart/rpc-price-source.ts";
import { cartEntities, cartModule } from "../cart/cart-module.ts";
import { cartSqlStores } from "../cart/cart-sql-stores.ts";
import { embeddedNotificationsModule } from "../notifications/embedded-notifications.ts";
import { createRpcCheckoutSnapshots } from "../../adapters/rpc/orders/rpc-checkout-snapshots.ts";
import { createRpcPaymentGateway } from "../../adapters/rpc/orders/rpc-payment-gateway.ts";
import { orderEntities, ordersModule } from "../orders/orders-module.ts";
import { MemorySandboxProvider } from "../../adapters/memory/payment/memory-sandbox-provider.ts";
import { paymentEntities, paymentModule } from "../payment/payment-module.ts";
import { createMikroOrmProcessedEvents } from "../../adapters/mikro-orm/mikro-orm-processed-events.ts";
import type { ContextModule } from "../runtime/context-module.ts";
import { startProcess, stopOnSignals } from "../runtime/run-process.ts";
import { embeddedConfigSchema } from "./embedded-config.ts";
import { createMemoryAvailabilityCache } from "../../adapters/memory/inventory/memory-availability-cache.ts";
import { seedDemoData } from "./demo-seed.ts";
import { embeddedKeyEncryptionKey } from "./embedded-key-encryption-key.ts";
import { inProcessTransport } from "./in-process-transport.ts";

const config = readConfig(embeddedConfigSchema);
const logger = createLogger("shopmesh-embedded", config.SHOPMESH_LOG_LEVEL);
mkdirSync(config.SHOPMESH_DATA_DIR, { recursive: true });
const sqlite = (context: string) => ({ kind: "sqlite" as const, file: join(config.SHOPMESH_DATA_DIR, `${context}.sqlite3`) });

const bus = createMemoryEventBus();
const contexts: ContextModule[] = [];
// Contexts call each other in-process, through the same handlers the port serves.
const internal = inProcessTransport(() => contexts);
const login = loginSettings(config);
const auth = authModule({
  db: await openSqlDatabase(sqlite("auth"), authEntities),
  publisher: bus.publisher,
  consumer: bus.consumer,
  userAccess: createRpcUserAccessLookup(internal),
  limiter: createMemoryLoginLimiter(login.limits, systemClock),
  clock: systemClock,
  logger,
  tokens: accessTokenSettings({
    ...config,
    SHOPMESH_AUTH_KEY_ENCRYPTION_KEY: embeddedKeyEncryptionKey(config.SHOPMESH_AUTH_KEY_ENCRYPTION_KEY, config.SHOPMESH_DATA_DIR),
  }),
  login,
});
// Every other context verifies access tokens as auth does: resolveIdentity: auth.resolveIdentity.
contexts.push(auth);
// Tenants' currencies (catalog's prices, cart's totals and promotions) from auth's tenant table.
const tenants = repositoryTenantDirectory(auth.tenants, systemClock);
const users = usersModule({
  db: await openSqlDatabase(sqlite("users"), usersEntities),
  publisher: bus.publisher,
  consumer: bus.consumer,
  cache: createMemoryProfileCache({ ttlMs: 60_000, clock: systemClock }),
  credentials: createAuthCredentialRegistry(internal),
  clock: systemClock,
  logger,
  resolveIdentity: auth.resolveIdentity,
});
contexts.push(users);
contexts.push(
  embeddedCatalogModule({
    publisher: bus.publisher,
    consumer: bus.consumer,
    clock: systemClock,
    logger,
    resolveIdentity: auth.resolveIdentity,
    tenants,
  }),
);
// Inventory: its own SQLite file; reserves, commits and releases on order-events.
contexts.push(
  inventoryModule({
    db: await openSqlDatabase(sqlite("inventory"), inventoryEntities),
    publisher: bus.publisher,
    consumer: bus.consumer,
    clock: systemClock,
    logger,
    resolveIdentity: auth.resolveIdentity,
    // As the inventory process's Redis cache: short TTL, refreshed on every change.
    availabilityCache: createMemoryAvailabilityCache({ ttlMs: 5_000, clock: systemClock }),
  }),
);
// Cart: its own SQLite file (no cache in front: the file is local); prices and availability
// from catalog and inventory, in-process.
const cartDb = await openSqlDatabase(sqlite("cart"), cartEntities);
contexts.push(
  cartModule({
    ...cartSqlStores(cartDb.em),
    orderEvents: { consumer: bus.consumer, processedEvents: createMikroOrmProcessedEvents(cartDb.em) },
    prices: createRpcPriceSource(internal),
    availability: createRpcAvailabilitySource(internal),
    clock: systemClock,
    logger,
    resolveIdentity: auth.resolveIdentity,
    tenants,
    probes: [mikroOrmHealthProbe("cart-database", cartDb.em)],
    close: () => cartDb.close(),
  }),
);
// Orders: its own SQLite file; snapshots from cart and charges/refunds through payment, in-process;
// the saga listens to inventory-, payment- and shipping-events on the bus.
contexts.push(
  ordersModule({
    db: await openSqlDatabase(sqlite("orders"), orderEntities),
    publisher: bus.publisher,
    consumer: bus.consumer,
    snapshots: createRpcCheckoutSnapshots(internal),
    payments: createRpcPaymentGateway(internal),
    clock: systemClock,
    logger,
    resolveIdentity: auth.resolveIdentity,
  }),
);
// Payment: its own SQLite file; charges through the in-memory sandbox provider (test tokens
// tok_success, tok_decline, tok_timeout, tok_success_after_timeout; docs/payment.md).
contexts.push(
  paymentModule({
    db: await openSqlDatabase(sqlite("payment"), paymentEntities),
    publisher: bus.publisher,
    provider: new MemorySandboxProvider(),
    clock: systemClock,
    logger,
    resolveIdentity: auth.resolveIdentity,
  }),
);
// Reviews: in-memory documents; products are checked with the catalog, in-process.
contexts.push(
  reviewsModule({
    stores: memoryReviewStores(),
    products: createCatalogProductCatalog(internal),
    publisher: bus.publisher,
    clock: systemClock,
    logger,
    resolveIdentity: auth.resolveIdentity,
  }),
);
// Shipping: its own SQLite file; ships on OrderConfirmed through the in-process sandbox carrier,
// whose signed webhook is POST /webhooks/carrier.
contexts.push(
  shippingModule({
    db: await openSqlDatabase(sqlite("shipping"), shippingEntities),
    publisher: bus.publisher,
    consumer: bus.consumer,
    carrier: createSandboxCarrier({ newId: randomId, clock: systemClock }),
    webhookSecret: embeddedWebhookSecret(config.SHOPMESH_SHIPPING_CARRIER_WEBHOOK_SECRET, config.SHOPMESH_DATA_DIR),
    clock: systemClock,
    logger,
    resolveIdentity: auth.resolveIdentity,
  }),
);

// Notifications: its own SQLite file; contacts from users in-process; mail to SMTP when
// SHOPMESH_SMTP_HOST is set, else kept in memory (docs/notifications.md).
contexts.push(
  await embeddedNotificationsModule({
    location: sqlite("notifications"),
    publisher: bus.publisher,
    consumer: bus.consumer,
    users: internal,
    clock: systemClock,
    logger,
    resolveIdentity: auth.resolveIdentity,
  }),
);

const platform = platformModule(
  {
    service: "shopmesh-embedded",
    version: config.SHOPMESH_VERSION,
    runMode: "embedded",
    contexts: () => contexts.map((c) => c.name),
  },
  logger,
);

const demoAccounts = await seedDemoData({
  tenants: auth.tenants,
  users: users.useCases,
  clock: systemClock,
  dataDir: config.SHOPMESH_DATA_DIR,
});
const running = await startProcess({
  modules: [platform, ...contexts],
  logger,
  port: config.SHOPMESH_PORT,
  host: config.SHOPMESH_HOST,
  drainMs: config.SHOPMESH_DRAIN_MS,
});
stopOnSignals(running, logger);

logger.info({ url: running.server.url, contexts: contexts.map((c) => c.name) }, "shopmesh embedded is serving");
process.stdout.write(`
shopmesh (embedded) listens on ${running.server.url}, data in ${config.SHOPMESH_DATA_DIR}
  Connect/JSON:  curl -s -H 'content-type: application/json' -d '{"payload":"hi"}' ${running.server.url}/shop.platform.v1.PlatformService/Ping
  gRPC:          npx buf curl --http2-prior-knowledge --protocol grpc ${running.server.url}/shop.platform.v1.PlatformService/GetInfo
  health:        ${running.server.url}/readyz
  log in:        curl -s -H 'content-type: application/json' -H 'x-tenant-id: demo' \\
                   -d '{"email":"customer@demo.shop","password":"<from the table>"}' ${running.server.url}/shop.auth.v1.AuthService/Login

Demo accounts (tenant, email, password, roles), kept in ${config.SHOPMESH_DATA_DIR}/demo-accounts.txt:
${demoAccounts.trimEnd().replace(/^/gm, "  ")}
Ctrl-C stops it (in-flight calls finish first).
`);
