import type { Clock } from "../../core/kit/clock.ts";
import type { EventConsumer } from "../../core/kit/event-consumer.ts";
import type { EventPublisher } from "../../core/kit/event-publisher.ts";
import { type IdGenerator, randomId } from "../../core/kit/ids.ts";
import type { Carrier } from "../../core/shipping/carrier.ts";
import { DEFAULT_SHIPPING_POLICY, type ShippingDeps, type ShippingPolicy } from "../../core/shipping/shipping-deps.ts";
import { recordCarrierUpdate } from "../../core/shipping/shipments.ts";
import { CARRIER_WEBHOOK_PATH, carrierWebhookRoute } from "../../adapters/carrier/carrier-webhook-route.ts";
import { createMikroOrmProcessedEvents } from "../../adapters/mikro-orm/mikro-orm-processed-events.ts";
import { MikroOrmShipmentStore } from "../../adapters/mikro-orm/shipping/mikro-orm-shipment-store.ts";
import { shippingEntities } from "../../adapters/mikro-orm/shipping/shipping-records.ts";
import type { SqlDatabase } from "../../adapters/mikro-orm/sql-database.ts";
import { withLogFields } from "../../adapters/observability/log-context.ts";
import type { Logger } from "../../adapters/observability/logger.ts";
import type { IdentityResolver } from "../../adapters/rpc/call-context.ts";
import { serviceHandlers } from "../../adapters/rpc/service-handlers.ts";
import { ShippingService } from "../../gen/shop/shipping/v1/shipping_pb.ts";
import type { ContextModule } from "../runtime/context-module.ts";
import { relationalContextModule } from "../runtime/relational-context.ts";
import { DEFAULT_RETENTION_SETTINGS, type RetentionSettings } from "../runtime/retention-config.ts";
import { startRetentionSweeper } from "../runtime/retention-sweeper.ts";
import { messagingRetentionTargets } from "../runtime/retention-targets.ts";
import { subscribeToOrderEvents } from "./order-events-subscription.ts";
import { shippingEventMapper } from "./shipping-event-mapper.ts";
import { SHIPPING_INTERNAL_METHODS, shippingHandlers } from "./shipping-handlers.ts";

export { shippingEntities };

export interface ShippingModuleDeps {
  readonly db: SqlDatabase;
  readonly publisher: EventPublisher;
  /** Where `order-events` come from (Kafka in the mesh, the in-process bus embedded). */
  readonly consumer: EventConsumer;
  readonly carrier: Carrier;
  /** HMAC secret of the carrier webhook (from the secret store). */
  readonly webhookSecret: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly resolveIdentity: IdentityResolver;
  readonly policy?: ShippingPolicy;
  readonly newId?: IdGenerator;
  /** Tests use topics and groups of their own; the defaults are `order-events` and `shipping`. */
  readonly orderEventsTopic?: string;
  readonly consumerGroup?: string;
  /** The retention sweeper's settings (docs: Retention); defaults when not given. */
  readonly retention?: RetentionSettings;
}

/**
 * The shipping context, the same in its own process and in the embedded one: ShippingService,
 * the carrier webhook (`POST /webhooks/carrier`), the outbox relay of `shipping-events`, the
 * consumer of `order-events` and the retention sweeper. Stopping stops the consumer and the
 * sweeper, then the relay and the database.
 */
export function shippingModule(
  deps: ShippingModuleDeps,
): ContextModule & { readonly store: MikroOrmShipmentStore; readonly useCases: ShippingDeps } {
  const store = new MikroOrmShipmentStore(deps.db.em, shippingEventMapper);
  const useCases: ShippingDeps = {
    store,
    carrier: deps.carrier,
    clock: deps.clock,
    newId: deps.newId ?? randomId,
    policy: deps.policy ?? DEFAULT_SHIPPING_POLICY,
  };
  const options = { logger: deps.logger, resolveIdentity: deps.resolveIdentity, internalMethods: SHIPPING_INTERNAL_METHODS };
  const retention = deps.retention ?? DEFAULT_RETENTION_SETTINGS;
  const relational = relationalContextModule({
    name: "shipping",
    db: deps.db,
    publisher: deps.publisher,
    logger: deps.logger,
    handlers: [serviceHandlers(ShippingService, shippingHandlers(useCases), options)],
    background: async () => [
      await subscribeToOrderEvents({
        consumer: deps.consumer,
        processedEvents: createMikroOrmProcessedEvents(deps.db.em),
        shipping: useCases,
        logger: deps.logger,
        ...(deps.orderEventsTopic ? { topic: deps.orderEventsTopic } : {}),
        ...(deps.consumerGroup ? { group: deps.consumerGroup } : {}),
      }),
      startRetentionSweeper({
        context: "shipping",
        targets: messagingRetentionTargets(deps.db.em, retention),
        clock: deps.clock,
        settings: retention,
        logger: deps.logger,
      }),
    ],
  });
  const webhook = carrierWebhookRoute({
    secret: deps.webhookSecret,
    now: () => deps.clock.now().getTime(),
    record: ({ tenantId, correlationId, trackingNumber, update }) =>
      withLogFields({ tenant: tenantId, correlationId, rpc: "carrier-webhook" }, async () => {
        const ctx = { tenantId, caller: undefined, correlationId, signal: AbortSignal.timeout(10_000) };
        await recordCarrierUpdate(useCases, ctx, trackingNumber, update);
      }),
  });
  return { ...relational, httpRoutes: { [CARRIER_WEBHOOK_PATH]: webhook }, store, useCases };
}
