import { z } from "zod";
import { accessTokenVerifyingConfig, remoteJwksConfig } from "../../adapters/config/access-token-config.ts";
import { DEFAULT_ORDER_POLICY, type OrderPolicy } from "../../core/orders/order-deps.ts";
import { meshConfigFields, port, processConfigFields } from "../runtime/process-config.ts";
import { retentionConfigFields } from "../runtime/retention-config.ts";

const seconds = (fallback: number, max: number) => z.coerce.number().int().min(1).max(max).default(fallback);

export const ordersConfigSchema = z.object({
  ...processConfigFields,
  ...meshConfigFields,
  ...retentionConfigFields,
  ...accessTokenVerifyingConfig,
  ...remoteJwksConfig,
  SHOPMESH_PORT: port(7007),
  SHOPMESH_ORDERS_DATABASE: z
    .string()
    .regex(/^[a-z0-9_]{1,64}$/)
    .default("shopmesh_orders"),
  /** Where cart (GetCheckoutSnapshot) and payment (Charge, Refund) answer over gRPC. */
  SHOPMESH_CART_GRPC_TARGET: z.string().min(3),
  SHOPMESH_PAYMENT_GRPC_TARGET: z.string().min(3),
  /** Saga step deadlines: past them the sweeper compensates (TIMED_OUT). */
  SHOPMESH_ORDERS_RESERVATION_DEADLINE_SECONDS: seconds(DEFAULT_ORDER_POLICY.deadlines.reservationMs / 1000, 3_600),
  SHOPMESH_ORDERS_PAYMENT_DEADLINE_SECONDS: seconds(DEFAULT_ORDER_POLICY.deadlines.paymentMs / 1000, 3_600),
  SHOPMESH_ORDERS_CANCELLATION_DEADLINE_SECONDS: seconds(DEFAULT_ORDER_POLICY.deadlines.cancellationMs / 1000, 86_400),
  /** How long a payment call holds its order, and how often an unsettled charge is asked about again. */
  SHOPMESH_ORDERS_PAYMENT_LEASE_SECONDS: seconds(DEFAULT_ORDER_POLICY.paymentLeaseMs / 1000, 600),
  /** How often the payment worker and the deadline sweeper look for work. */
  SHOPMESH_ORDERS_WORK_INTERVAL_MS: z.coerce.number().int().min(50).max(600_000).default(1_000),
});

export type OrdersConfig = z.infer<typeof ordersConfigSchema>;

export function orderPolicyOf(
  config: Pick<
    OrdersConfig,
    | "SHOPMESH_ORDERS_RESERVATION_DEADLINE_SECONDS"
    | "SHOPMESH_ORDERS_PAYMENT_DEADLINE_SECONDS"
    | "SHOPMESH_ORDERS_CANCELLATION_DEADLINE_SECONDS"
    | "SHOPMESH_ORDERS_PAYMENT_LEASE_SECONDS"
  >,
): OrderPolicy {
  return {
    deadlines: {
      reservationMs: config.SHOPMESH_ORDERS_RESERVATION_DEADLINE_SECONDS * 1000,
      paymentMs: config.SHOPMESH_ORDERS_PAYMENT_DEADLINE_SECONDS * 1000,
      cancellationMs: config.SHOPMESH_ORDERS_CANCELLATION_DEADLINE_SECONDS * 1000,
    },
    paymentLeaseMs: config.SHOPMESH_ORDERS_PAYMENT_LEASE_SECONDS * 1000,
  };
}
