import type { Transport } from "@connectrpc/connect";
import { MemoryCartRepository } from "../../../../adapters/memory/cart/memory-cart-repository.ts";
import { MemoryPriceSource } from "../../../../adapters/memory/cart/memory-price-source.ts";
import { createMemoryProcessedEvents } from "../../../../adapters/memory/memory-processed-events.ts";
import { createRpcAvailabilitySource } from "../../../../adapters/rpc/cart/rpc-availability-source.ts";
import { createRpcCheckoutSnapshots } from "../../../../adapters/rpc/orders/rpc-checkout-snapshots.ts";
import { cartModule } from "../../../../services/cart/cart-module.ts";
import { createConnectTransport } from "@connectrpc/connect-node";
import { createMemoryEventBus } from "../../../../adapters/memory/memory-event-bus.ts";
import { MemoryCheckoutSnapshots } from "../../../../adapters/memory/orders/memory-checkout-snapshots.ts";
import { MemoryPaymentGateway } from "../../../../adapters/memory/orders/memory-payment-gateway.ts";
import { createLogger } from "../../../../adapters/observability/logger.ts";
import { createGrpcTransport, type GrpcTransport } from "../../../../adapters/rpc/grpc-transport.ts";
import { MemorySandboxProvider } from "../../../../adapters/memory/payment/memory-sandbox-provider.ts";
import { createRpcPaymentGateway } from "../../../../adapters/rpc/orders/rpc-payment-gateway.ts";
import { inventoryEntities, inventoryModule } from "../../../../services/inventory/inventory-module.ts";
import { paymentEntities, paymentModule } from "../../../../services/payment/payment-module.ts";
import { orderEntities, ordersModule } from "../../../../services/orders/orders-module.ts";
import { type RunningProcess, startProcess } from "../../../../services/runtime/run-process.ts";
import { openSqlTestDatabase } from "../../../support/sql-test-database.ts";
import { type TestIdentity, testIdentity } from "../../users/support/identity.ts";

export interface OrdersServer {
  readonly url: string;
  readonly identity: TestIdentity;
  readonly snapshots: MemoryCheckoutSnapshots;
  /** The memory payment side (mode `memory`). */
  readonly payments: MemoryPaymentGateway;
  /** The sandbox provider behind the real payment module (mode `payment-module`). */
  readonly provider: MemorySandboxProvider;
  /** The catalog prices the real cart module sees (mode `payment-module`). */
  readonly prices: MemoryPriceSource;
  readonly inventory: ReturnType<typeof inventoryModule>;
  readonly orders: ReturnType<typeof ordersModule>;
  readonly bus: ReturnType<typeof createMemoryEventBus>;
  /** Every log line the process wrote (level trace and up), for the "never logged" checks. */
  readonly logs: readonly string[];
  transport(kind: "grpc" | "connect"): Transport;
  stop(): Promise<void>;
}

/**
 * OrderService and InventoryService in one process on port 0, each on a MariaDB database of its
 * own, talking through the in-process bus (order-events one way, inventory-events back), with
 * real JWTs. Cart snapshots are the orders context's memory adapter (cart.GetCheckoutSnapshot
 * was still being built). Payment: the memory PaymentGateway (`memory`), or the real payment
 * module (MariaDB, the in-memory sandbox provider, payment-events on the same bus) called by
 * the RPC PaymentGateway over gRPC on the same port (`payment-module`), which also mounts the
 * real cart module (carts in memory, prices from a memory catalog, availability from the
 * inventory module over gRPC, order-events on the bus) reached by the RPC CheckoutSnapshots
 * (the snapshots put in `snapshots` are then not used).
 */
export async function startOrdersServer(mode: "memory" | "payment-module" = "memory"): Promise<OrdersServer> {
  const logs: string[] = [];
  const logger = createLogger("orders-test", "trace", { write: (line: string) => void logs.push(line) });
  const [ordersDb, inventoryDb, paymentDb] = await Promise.all([
    openSqlTestDatabase("mariadb", "orders_component", orderEntities),
    openSqlTestDatabase("mariadb", "orders_inventory", inventoryEntities),
    mode === "payment-module" ? openSqlTestDatabase("mariadb", "orders_payment", paymentEntities) : undefined,
  ]);
  const identity = await testIdentity();
  const bus = createMemoryEventBus();
  const clock = { now: () => new Date() };
  const snapshots = new MemoryCheckoutSnapshots();
  const payments = new MemoryPaymentGateway();
  const provider = new MemorySandboxProvider();
  const prices = new MemoryPriceSource();
  // The server's port is known only once it listens: the gRPC transport to itself is made then.
  let self: GrpcTransport | undefined;
  const selfTransport: Transport = {
    unary: (...args) => (self as GrpcTransport).unary(...args),
    stream: (...args) => (self as GrpcTransport).stream(...args),
  };
  const realNeighbours = mode === "payment-module";
  const inventory = inventoryModule({
    db: { ...inventoryDb, close: async () => {} },
    publisher: bus.publisher,
    consumer: bus.consumer,
    clock,
    logger,
    resolveIdentity: identity.resolveIdentity,
    sweepIntervalMs: 60_000,
  });
  const orders = ordersModule({
    db: { ...ordersDb, close: async () => {} },
    publisher: bus.publisher,
    consumer: bus.consumer,
    snapshots: realNeighbours ? createRpcCheckoutSnapshots(selfTransport) : snapshots,
    payments: realNeighbours ? createRpcPaymentGateway(selfTransport, { timeoutMs: 2_000 }) : payments,
    clock,
    logger,
    resolveIdentity: identity.resolveIdentity,
    workIntervalMs: 50,
  });
  const payment = paymentDb
    ? paymentModule({
        db: { ...paymentDb, close: async () => {} },
        publisher: bus.publisher,
        provider,
        clock,
        logger,
        resolveIdentity: identity.resolveIdentity,
        resolveIntervalMs: 100,
        // Ask the provider about a PROCESSING payment after half a second, not the default 10 s.
        policy: { resolveAfterMs: 500, resolveLeaseMs: 5_000 },
      })
    : undefined;
  const cart = realNeighbours
    ? cartModule({
        carts: new MemoryCartRepository(),
        prices,
        availability: createRpcAvailabilitySource(selfTransport),
        orderEvents: { consumer: bus.consumer, processedEvents: createMemoryProcessedEvents() },
        clock,
        logger,
        resolveIdentity: identity.resolveIdentity,
      })
    : undefined;
  const running: RunningProcess = await startProcess({
    modules: payment && cart ? [inventory, payment, cart, orders] : [inventory, orders],
    logger,
    port: 0,
    host: "127.0.0.1",
    drainMs: 1_000,
  });
  const grpcTransports: GrpcTransport[] = [];
  self = createGrpcTransport(`127.0.0.1:${running.server.port}`);
  grpcTransports.push(self);
  return {
    url: running.server.url,
    identity,
    snapshots,
    payments,
    provider,
    prices,
    inventory,
    orders,
    bus,
    logs,
    transport(kind) {
      if (kind === "connect") return createConnectTransport({ baseUrl: running.server.url, httpVersion: "1.1" });
      const transport = createGrpcTransport(`127.0.0.1:${running.server.port}`);
      grpcTransports.push(transport);
      return transport;
    },
    async stop() {
      for (const transport of grpcTransports) transport.close();
      await running.stop();
      await Promise.all([ordersDb.dispose(), inventoryDb.dispose(), paymentDb?.dispose()]);
    },
  };
}
