import type { Clock } from "../../core/kit/clock.ts";
import type { EventConsumer, RunningSubscription } from "../../core/kit/event-consumer.ts";
import type { EventPublisher } from "../../core/kit/event-publisher.ts";
import type { EventMapper } from "../../core/kit/event-mapper.ts";
import { randomId } from "../../core/kit/ids.ts";
import type { OrderEvent } from "../../core/orders/order-events.ts";
import type { CheckoutSnapshots } from "../../core/orders/checkout-snapshots.ts";
import { DEFAULT_ORDER_POLICY, type OrderDeps, type OrderPolicy } from "../../core/orders/order-deps.ts";
import type { PaymentGateway } from "../../core/orders/payment-gateway.ts";
import { createMikroOrmProcessedEvents } from "../../adapters/mikro-orm/mikro-orm-processed-events.ts";
import { MikroOrmOrderStore } from "../../adapters/mikro-orm/orders/mikro-orm-order-store.ts";
import { orderEntities } from "../../adapters/mikro-orm/orders/order-records.ts";
import type { SqlDatabase } from "../../adapters/mikro-orm/sql-database.ts";
import type { Logger } from "../../adapters/observability/logger.ts";
import type { IdentityResolver } from "../../adapters/rpc/call-context.ts";
import { serviceHandlers } from "../../adapters/rpc/service-handlers.ts";
import { OrderService } from "../../gen/shop/orders/v1/orders_pb.ts";
import type { ContextModule } from "../runtime/context-module.ts";
import { relationalContextModule } from "../runtime/relational-context.ts";
import { DEFAULT_RETENTION_SETTINGS, type RetentionSettings } from "../runtime/retention-config.ts";
import { startRetentionSweeper } from "../runtime/retention-sweeper.ts";
import { messagingRetentionTargets } from "../runtime/retention-targets.ts";
import { orderEventMapper } from "./order-event-mapper.ts";
import { ordersHandlers } from "./orders-handlers.ts";
import { subscribeToSagaEvents } from "./saga-subscription.ts";
import { type SagaWorkers, startSagaWorkers } from "./saga-workers.ts";

export { orderEntities };

export interface OrdersModuleDeps {
  readonly db: SqlDatabase;
  readonly publisher: EventPublisher;
  /** Where inventory-, payment- and shipping-events come from (Kafka in the mesh, the in-process bus embedded). */
  readonly consumer: EventConsumer;
  readonly snapshots: CheckoutSnapshots;
  readonly payments: PaymentGateway;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly resolveIdentity: IdentityResolver;
  readonly policy?: OrderPolicy;
  /** How often the payment worker and the deadline sweeper look for work. */
  readonly workIntervalMs?: number;
  /** Tests use topics and a group of their own: `orderEvents` replaces `order-events` for what orders publishes. */
  readonly topics?: { readonly orderEvents: string; readonly consumed: readonly string[]; readonly group: string };
  /** The retention sweeper's settings (docs: Retention); defaults when not given. */
  readonly retention?: RetentionSettings;
}

/**
 * The orders context, the same in its own process and in the embedded one: OrderService, the
 * outbox relay of `order-events`, the saga's consumer and its two workers (payment calls,
 * deadlines). Stopping stops the consumer and the workers, then the relay and the database.
 */
export function ordersModule(
  deps: OrdersModuleDeps,
): ContextModule & { readonly store: MikroOrmOrderStore; readonly useCases: OrderDeps } {
  const topics = deps.topics;
  const mapper: EventMapper<OrderEvent> = topics
    ? (event, ctx) => ({ ...orderEventMapper(event, ctx), topic: topics.orderEvents })
    : orderEventMapper;
  const store = new MikroOrmOrderStore(deps.db.em, mapper);
  let workers: SagaWorkers | undefined;
  const useCases: OrderDeps = {
    store,
    snapshots: deps.snapshots,
    payments: deps.payments,
    clock: deps.clock,
    newId: randomId,
    policy: deps.policy ?? DEFAULT_ORDER_POLICY,
    // After the commit that asks for it (consumer, CancelOrder, the workers themselves), the
    // charge or refund starts at once; the workers' poll stays the safety net.
    paymentWorkDue: (ref) => workers?.nudge(ref),
  };
  const relational = relationalContextModule({
    name: "orders",
    db: deps.db,
    publisher: deps.publisher,
    logger: deps.logger,
    handlers: [
      serviceHandlers(OrderService, ordersHandlers(useCases), { logger: deps.logger, resolveIdentity: deps.resolveIdentity }),
    ],
    background: async () => {
      const settings = deps.retention ?? DEFAULT_RETENTION_SETTINGS;
      const targets = messagingRetentionTargets(deps.db.em, settings);
      return [startRetentionSweeper({ context: "orders", targets, clock: deps.clock, settings, logger: deps.logger })];
    },
  });
  let sagaEvents: RunningSubscription | undefined;
  return {
    ...relational,
    store,
    useCases,
    async start() {
      await relational.start?.();
      // Before the consumer, so that its first transitions can nudge the payment worker.
      workers = startSagaWorkers(useCases, { intervalMs: deps.workIntervalMs ?? 1_000, logger: deps.logger });
      sagaEvents = await subscribeToSagaEvents({
        consumer: deps.consumer,
        processedEvents: createMikroOrmProcessedEvents(deps.db.em),
        orders: useCases,
        logger: deps.logger,
        ...(topics ? { topics: topics.consumed, group: topics.group } : {}),
      });
    },
    async stop() {
      await sagaEvents?.stop();
      await workers?.stop();
      await relational.stop?.();
    },
  };
}
