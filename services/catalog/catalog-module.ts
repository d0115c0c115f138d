import { CatalogService } from "../../gen/shop/catalog/v1/catalog_pb.ts";
import type { CatalogDeps } from "../../core/catalog/catalog-deps.ts";
import type { EventConsumer, RunningSubscription } from "../../core/kit/event-consumer.ts";
import type { HealthProbe } from "../../core/kit/health.ts";
import type { ProcessedEvents } from "../../core/kit/processed-events.ts";
import type { RetentionTarget } from "../../core/kit/retention.ts";
import type { Logger } from "../../adapters/observability/logger.ts";
import type { IdentityResolver } from "../../adapters/rpc/call-context.ts";
import { serviceHandlers } from "../../adapters/rpc/service-handlers.ts";
import type { ContextModule } from "../runtime/context-module.ts";
import type { DocumentRetentionSettings } from "../runtime/retention-config.ts";
import { startRetentionSweeper } from "../runtime/retention-sweeper.ts";
import { catalogHandlers } from "./catalog-handlers.ts";
import { subscribeCatalogEvents } from "./catalog-subscriptions.ts";

export interface CatalogModuleDeps {
  readonly deps: CatalogDeps;
  /** Starts the relay of the products' outbox (Mongo single-document outbox, or the memory one). */
  readonly startRelay: () => Promise<{ stop(): Promise<void> }>;
  readonly consumer: EventConsumer;
  readonly processedEvents: ProcessedEvents;
  readonly probes: readonly HealthProbe[];
  readonly logger: Logger;
  readonly resolveIdentity: IdentityResolver;
  readonly cacheGroup: string;
  /** The search projector's consumer group (default "catalog-search": one for all catalog processes). */
  readonly searchGroup?: string;
  /** Tests only: the search projector skips product events older than this. */
  readonly searchSince?: Date;
  /** The ratings consumer's group (default "catalog": one for all catalog processes). */
  readonly ratingGroup?: string;
  /** Closes the stores, after the relay and consumers stopped. */
  readonly close?: () => Promise<void>;
  /** The retention sweeper's kinds and pace (docs: Retention); none runs without (memory stores). */
  readonly retention?: { readonly targets: readonly RetentionTarget[]; readonly settings: DocumentRetentionSettings };
}

/** The catalog context, the same in its own process and in the embedded one. */
export function catalogModule(options: CatalogModuleDeps): ContextModule {
  let relay: { stop(): Promise<void> } | undefined;
  let subscriptions: RunningSubscription[] = [];
  let sweeper: { stop(): Promise<void> } | undefined;
  return {
    name: "catalog",
    handlers: [
      serviceHandlers(CatalogService, catalogHandlers(options.deps), {
        logger: options.logger,
        resolveIdentity: options.resolveIdentity,
      }),
    ],
    probes: options.probes,
    async start() {
      relay = await options.startRelay();
      subscriptions = await subscribeCatalogEvents({
        consumer: options.consumer,
        processedEvents: options.processedEvents,
        deps: options.deps,
        logger: options.logger,
        cacheGroup: options.cacheGroup,
        searchGroup: options.searchGroup,
        searchSince: options.searchSince,
        ratingGroup: options.ratingGroup,
      });
      if (options.retention) {
        sweeper = startRetentionSweeper({
          context: "catalog",
          targets: options.retention.targets,
          clock: options.deps.clock,
          settings: options.retention.settings,
          logger: options.logger,
        });
      }
    },
    async stop() {
      await sweeper?.stop();
      for (const subscription of subscriptions) await subscription.stop();
      await relay?.stop();
      await options.close?.();
    },
  };
}
