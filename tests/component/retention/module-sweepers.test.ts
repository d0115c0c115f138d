import type { EntityName } from "@mikro-orm/core";
import type { SqlEntityManager } from "@mikro-orm/sql";
import { afterEach, describe, expect, it } from "vitest";
import { MemoryAvailabilitySource } from "../../../adapters/memory/cart/memory-availability-source.ts";
import { MemoryCartRepository } from "../../../adapters/memory/cart/memory-cart-repository.ts";
import { MemoryPriceSource } from "../../../adapters/memory/cart/memory-price-source.ts";
import { createMemoryEventBus } from "../../../adapters/memory/memory-event-bus.ts";
import { createMemoryProcessedEvents } from "../../../adapters/memory/memory-processed-events.ts";
import { MemoryCheckoutSnapshots } from "../../../adapters/memory/orders/memory-checkout-snapshots.ts";
import { MemoryPaymentGateway } from "../../../adapters/memory/orders/memory-payment-gateway.ts";
import { cartEntities } from "../../../adapters/mikro-orm/cart/cart-record.ts";
import { CheckoutSnapshotRecord } from "../../../adapters/mikro-orm/cart/checkout-records.ts";
import { ProcessedEvent } from "../../../adapters/mikro-orm/processed-event-entity.ts";
import { createLogger } from "../../../adapters/observability/logger.ts";
import { tenantFromHeader } from "../../../adapters/rpc/call-context.ts";
import { cartModule } from "../../../services/cart/cart-module.ts";
import { cartSqlStores } from "../../../services/cart/cart-sql-stores.ts";
import { orderEntities, ordersModule } from "../../../services/orders/orders-module.ts";
import type { ContextModule } from "../../../services/runtime/context-module.ts";
import { DEFAULT_RETENTION_SETTINGS } from "../../../services/runtime/retention-config.ts";
import { openSqlTestDatabase, type SqlTestDatabase } from "../../support/sql-test-database.ts";

const DAY = 24 * 60 * 60_000;
/** A sweep every 50 ms (the first after 25 to 50 ms), so the test sees one soon. */
const retention = { ...DEFAULT_RETENTION_SETTINGS, intervalMs: 50 };
const clock = { now: () => new Date() };
const logger = createLogger("retention-test", "silent");
const ago = (ms: number) => new Date(Date.now() - ms);

// biome-ignore lint/suspicious/noExplicitAny: any swept table.
async function waitUntilCount(em: SqlEntityManager, entity: EntityName<any>, count: number): Promise<number> {
  let seen = -1;
  for (let waited = 0; waited < 10_000; waited += 25) {
    seen = await em.fork().count(entity, {});
    if (seen === count) return seen;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return seen;
}

describe("each context module runs its retention sweeper (SQLite, as embedded)", () => {
  const opened: { db: SqlTestDatabase; module: ContextModule }[] = [];
  afterEach(async () => {
    for (const { db, module } of opened.splice(0)) {
      await module.stop?.();
      await db.dispose();
    }
  });

  it("orders: once started, dedupe marks past 14 days go and younger ones stay", async () => {
    const db = await openSqlTestDatabase("sqlite", "orders_retention", orderEntities);
    const bus = createMemoryEventBus();
    const module = ordersModule({
      db: { ...db, close: async () => {} },
      publisher: bus.publisher,
      consumer: bus.consumer,
      snapshots: new MemoryCheckoutSnapshots(),
      payments: new MemoryPaymentGateway(),
      clock,
      logger,
      resolveIdentity: tenantFromHeader,
      retention,
    });
    opened.push({ db, module });
    const em = db.em.fork();
    await em.insert(ProcessedEvent, { consumer: "orders", eventId: "old", processedAt: ago(15 * DAY) });
    await em.insert(ProcessedEvent, { consumer: "orders", eventId: "young", processedAt: ago(13 * DAY) });
    await module.start?.();
    expect(await waitUntilCount(db.em, ProcessedEvent, 1)).toBe(1);
    const [left] = await db.em.fork().find(ProcessedEvent, {});
    expect(left?.eventId).toBe("young");
  });

  it("cart: on the SQL stores, snapshots a day past their expiry go and the rest stay; on memory stores no sweeper runs", async () => {
    const db = await openSqlTestDatabase("sqlite", "cart_retention", cartEntities);
    const snapshot = (cartId: string, expiresAt: Date) =>
      db.em.fork().insert(CheckoutSnapshotRecord, {
        tenantId: "acme",
        cartId,
        cartVersion: 1,
        userId: "u",
        body: "{}",
        createdAt: ago(3 * DAY),
        expiresAt,
      });
    await snapshot("u-gone", ago(DAY + 60_000));
    await snapshot("u-expired-lately", ago(60_000));
    const module = cartModule({
      ...cartSqlStores(db.em),
      prices: new MemoryPriceSource(),
      availability: new MemoryAvailabilitySource(),
      orderEvents: { consumer: createMemoryEventBus().consumer, processedEvents: createMemoryProcessedEvents() },
      clock,
      logger,
      resolveIdentity: tenantFromHeader,
      retention,
    });
    opened.push({ db, module });
    await module.start?.();
    expect(await waitUntilCount(db.em, CheckoutSnapshotRecord, 1)).toBe(1);
    const [left] = await db.em.fork().find(CheckoutSnapshotRecord, {});
    expect(left?.cartId).toBe("u-expired-lately");

    const memoryOnly = cartModule({
      carts: new MemoryCartRepository(),
      prices: new MemoryPriceSource(),
      availability: new MemoryAvailabilitySource(),
      clock,
      logger,
      resolveIdentity: tenantFromHeader,
      retention,
    });
    await memoryOnly.start?.();
    await memoryOnly.stop?.();
  });
});
