import { z } from "zod";
import { accessTokenVerifyingConfig, remoteJwksConfig } from "../../adapters/config/access-token-config.ts";
import { DEFAULT_INVENTORY_POLICY, type InventoryPolicy } from "../../core/inventory/inventory-deps.ts";
import { meshConfigFields, port, processConfigFields } from "../runtime/process-config.ts";
import { retentionConfigFields } from "../runtime/retention-config.ts";

export const inventoryConfigSchema = z.object({
  ...processConfigFields,
  ...meshConfigFields,
  ...retentionConfigFields,
  ...accessTokenVerifyingConfig,
  ...remoteJwksConfig,
  SHOPMESH_PORT: port(7005),
  SHOPMESH_REDIS_URL: z.string().url(),
  /** How long BatchGetAvailability may answer from Redis: the bound on staleness when an invalidation was lost. */
  SHOPMESH_INVENTORY_AVAILABILITY_CACHE_TTL_SECONDS: z.coerce.number().int().min(1).max(300).default(5),
  SHOPMESH_INVENTORY_DATABASE: z
    .string()
    .regex(/^[a-z0-9_]{1,64}$/)
    .default("shopmesh_inventory"),
  /** How long an unconfirmed reservation holds its stock when the caller does not say. */
  SHOPMESH_INVENTORY_HOLD_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(3_600)
    .default(DEFAULT_INVENTORY_POLICY.defaultHoldMs / 1000),
  /** How often the sweeper looks for reservations past their hold. */
  SHOPMESH_INVENTORY_SWEEP_INTERVAL_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
});

export type InventoryConfig = z.infer<typeof inventoryConfigSchema>;

export function inventoryPolicyOf(config: Pick<InventoryConfig, "SHOPMESH_INVENTORY_HOLD_SECONDS">): InventoryPolicy {
  return { ...DEFAULT_INVENTORY_POLICY, defaultHoldMs: config.SHOPMESH_INVENTORY_HOLD_SECONDS * 1000 };
}
