import { z } from "zod";
import { accessTokenVerifyingConfig, remoteJwksConfig } from "../../adapters/config/access-token-config.ts";
import { type CartPolicy, DEFAULT_CART_POLICY } from "../../core/cart/cart-deps.ts";
import { meshConfigFields, port, processConfigFields } from "../runtime/process-config.ts";
import { retentionConfigFields } from "../runtime/retention-config.ts";

const DAY = 24 * 60 * 60_000;

/** The currency of a tenant the tenant directory knows none for, unless configured. */
export const DEFAULT_CART_FALLBACK_CURRENCY = "EUR";

export const cartConfigSchema = z.object({
  ...processConfigFields,
  ...meshConfigFields,
  ...retentionConfigFields,
  ...accessTokenVerifyingConfig,
  ...remoteJwksConfig,
  SHOPMESH_PORT: port(7006),
  SHOPMESH_CART_DATABASE: z
    .string()
    .regex(/^[a-z0-9_]{1,64}$/)
    .default("shopmesh_cart"),
  /** Carts live in Redis in front of the database. Required: no default. */
  SHOPMESH_REDIS_URL: z.string().url(),
  /** host:port of the catalog process's gRPC side (prices). Required: no default. */
  SHOPMESH_CATALOG_GRPC_TARGET: z.string().min(3),
  /** host:port of the inventory process's gRPC side (availability). Required: no default. */
  SHOPMESH_INVENTORY_GRPC_TARGET: z.string().min(3),
  /** Longest wait per call to catalog or inventory (less when the caller's own deadline is sooner). */
  SHOPMESH_CART_DEPENDENCY_TIMEOUT_MS: z.coerce.number().int().min(50).max(30_000).default(2_000),
  /** Sliding expiry of an untouched cart. */
  SHOPMESH_CART_TTL_DAYS: z.coerce
    .number()
    .int()
    .min(1)
    .max(365)
    .default(DEFAULT_CART_POLICY.ttlMs / DAY),
  SHOPMESH_CART_MAX_QUANTITY_PER_LINE: z.coerce.number().int().min(1).max(999).default(DEFAULT_CART_POLICY.maxQuantityPerLine),
  SHOPMESH_CART_MAX_LINES: z.coerce.number().int().min(1).max(1_000).default(DEFAULT_CART_POLICY.maxLines),
  /** How long a checkout snapshot may be ordered after ValidateForCheckout. */
  SHOPMESH_CART_CHECKOUT_SNAPSHOT_TTL_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(DEFAULT_CART_POLICY.checkoutSnapshotTtlMs / 60_000),
  /** The currency of a tenant the tenant directory knows none for (carts follow the tenant's own otherwise). */
  SHOPMESH_CART_CURRENCY: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .default(DEFAULT_CART_FALLBACK_CURRENCY),
});

export type CartConfig = z.infer<typeof cartConfigSchema>;

export function cartPolicyOf(
  config: Pick<
    CartConfig,
    | "SHOPMESH_CART_TTL_DAYS"
    | "SHOPMESH_CART_MAX_QUANTITY_PER_LINE"
    | "SHOPMESH_CART_MAX_LINES"
    | "SHOPMESH_CART_CHECKOUT_SNAPSHOT_TTL_MINUTES"
  >,
): CartPolicy {
  return {
    ttlMs: config.SHOPMESH_CART_TTL_DAYS * DAY,
    maxQuantityPerLine: config.SHOPMESH_CART_MAX_QUANTITY_PER_LINE,
    maxLines: config.SHOPMESH_CART_MAX_LINES,
    checkoutSnapshotTtlMs: config.SHOPMESH_CART_CHECKOUT_SNAPSHOT_TTL_MINUTES * 60_000,
  };
}
