import type { Clock } from "../../core/kit/clock.ts";
import { isDomainError } from "../../core/kit/domain-error.ts";
import type { EventPublisher } from "../../core/kit/event-publisher.ts";
import { randomId } from "../../core/kit/ids.ts";
import { parseTenantId } from "../../core/kit/request-context.ts";
import { DEFAULT_PAYMENT_POLICY, type PaymentDeps, type PaymentPolicy } from "../../core/payment/payment-deps.ts";
import type { PaymentProvider } from "../../core/payment/payment-provider.ts";
import { applyProviderUpdate } from "../../core/payment/payments.ts";
import { MikroOrmPaymentRepository } from "../../adapters/mikro-orm/payment/mikro-orm-payment-repository.ts";
import { paymentEntities } from "../../adapters/mikro-orm/payment/payment-records.ts";
import type { SqlDatabase } from "../../adapters/mikro-orm/sql-database.ts";
import { withLogFields } from "../../adapters/observability/log-context.ts";
import type { Logger } from "../../adapters/observability/logger.ts";
import { PAYMENT_WEBHOOK_PATH, providerWebhookRoute } from "../../adapters/payment-provider/provider-webhook-route.ts";
import type { IdentityResolver } from "../../adapters/rpc/call-context.ts";
import { serviceHandlers } from "../../adapters/rpc/service-handlers.ts";
import { PaymentService } from "../../gen/shop/payment/v1/payment_pb.ts";
import type { ContextModule } from "../runtime/context-module.ts";
import { relationalContextModule } from "../runtime/relational-context.ts";
import { DEFAULT_RETENTION_SETTINGS, type RetentionSettings } from "../runtime/retention-config.ts";
import { startRetentionSweeper } from "../runtime/retention-sweeper.ts";
import { messagingRetentionTargets } from "../runtime/retention-targets.ts";
import { paymentEventMapper } from "./payment-event-mapper.ts";
import { PAYMENT_INTERNAL_METHODS, paymentHandlers } from "./payment-handlers.ts";
import { startPaymentResolver } from "./payment-resolver.ts";

export { paymentEntities, PAYMENT_WEBHOOK_PATH };

export interface PaymentModuleDeps {
  readonly db: SqlDatabase;
  readonly publisher: EventPublisher;
  /** The Stripe-shaped HTTP adapter in the mesh, the in-memory sandbox embedded. */
  readonly provider: PaymentProvider;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly resolveIdentity: IdentityResolver;
  /** The provider's webhooks (POST /webhooks/payment-provider); absent: no route. */
  readonly webhook?: { readonly secret: string; readonly toleranceSeconds: number };
  readonly policy?: PaymentPolicy;
  /** How often the resolver looks for PROCESSING payments. */
  readonly resolveIntervalMs?: number;
  /** The retention sweeper's settings (docs: Retention); defaults when not given. */
  readonly retention?: RetentionSettings;
}

/**
 * The payment context, the same in its own process and in the embedded one: PaymentService,
 * the provider's webhook route, the outbox relay of `payment-events` and the resolver of
 * PROCESSING payments. Stopping stops the resolver, then the relay and the database.
 */
export function paymentModule(
  deps: PaymentModuleDeps,
): ContextModule & { readonly repository: MikroOrmPaymentRepository; readonly useCases: PaymentDeps } {
  const repository = new MikroOrmPaymentRepository(deps.db.em, paymentEventMapper);
  const useCases: PaymentDeps = {
    payments: repository,
    provider: deps.provider,
    clock: deps.clock,
    newId: randomId,
    policy: deps.policy ?? DEFAULT_PAYMENT_POLICY,
  };
  const options = { logger: deps.logger, resolveIdentity: deps.resolveIdentity, internalMethods: PAYMENT_INTERNAL_METHODS };
  const retention = deps.retention ?? DEFAULT_RETENTION_SETTINGS;
  const relational = relationalContextModule({
    name: "payment",
    db: deps.db,
    publisher: deps.publisher,
    logger: deps.logger,
    handlers: [serviceHandlers(PaymentService, paymentHandlers(useCases), options)],
    background: async () => [
      startPaymentResolver(useCases, { intervalMs: deps.resolveIntervalMs ?? 2_000, logger: deps.logger }),
      startRetentionSweeper({
        context: "payment",
        targets: messagingRetentionTargets(deps.db.em, retention),
        clock: deps.clock,
        settings: retention,
        logger: deps.logger,
      }),
    ],
  });
  const webhook = deps.webhook;
  return {
    ...relational,
    repository,
    useCases,
    ...(webhook
      ? {
          httpRoutes: {
            [PAYMENT_WEBHOOK_PATH]: providerWebhookRoute({
              secret: webhook.secret,
              toleranceSeconds: webhook.toleranceSeconds,
              now: () => deps.clock.now(),
              onRefused: (reason) => deps.logger.warn({ reason }, "provider webhook refused"),
              apply: async (update) => {
                let tenantId: ReturnType<typeof parseTenantId>;
                try {
                  tenantId = parseTenantId(update.tenantId);
                } catch {
                  return "ignored";
                }
                const correlationId = `webhook-${update.eventId || randomId()}`;
                return withLogFields({ tenant: tenantId, correlationId }, async () => {
                  const ctx = { tenantId, caller: undefined, correlationId, signal: AbortSignal.timeout(10_000) };
                  try {
                    const payment = await applyProviderUpdate(useCases, ctx, update);
                    if (!payment) return "ignored";
                    deps.logger.info({ paymentId: payment.id, status: payment.status }, "provider webhook applied");
                    return "applied";
                  } catch (error) {
                    // The provider contradicts a settled payment: keep ours, tell the log, stop the retries.
                    if (isDomainError(error) && error.kind === "failed_precondition") {
                      deps.logger.warn(
                        { paymentId: update.paymentId, code: error.code },
                        "provider webhook contradicts the payment",
                      );
                      return "ignored";
                    }
                    throw error;
                  }
                });
              },
            }),
          },
        }
      : {}),
  };
}
