import { z } from "zod";
import { accessTokenVerifyingConfig, remoteJwksConfig } from "../../adapters/config/access-token-config.ts";
import { DEFAULT_SHIPPING_POLICY, type ShippingPolicy } from "../../core/shipping/shipping-deps.ts";
import { meshConfigFields, port, processConfigFields } from "../runtime/process-config.ts";
import { retentionConfigFields } from "../runtime/retention-config.ts";

/** The carrier webhook's HMAC secret: at least 32 characters, from the secret store; never a default. */
export const carrierWebhookSecret = z.string().min(32, "must be at least 32 characters");

export const shippingConfigSchema = z.object({
  ...processConfigFields,
  ...meshConfigFields,
  ...retentionConfigFields,
  ...accessTokenVerifyingConfig,
  ...remoteJwksConfig,
  SHOPMESH_PORT: port(7009),
  SHOPMESH_SHIPPING_DATABASE: z
    .string()
    .regex(/^[a-z0-9_]{1,64}$/)
    .default("shopmesh_shipping"),
  SHOPMESH_SHIPPING_CARRIER_WEBHOOK_SECRET: carrierWebhookSecret,
  /** OrderConfirmed names no service level: every shipment goes at this one. */
  SHOPMESH_SHIPPING_SERVICE_LEVEL: z.enum(["standard", "express", "overnight"]).default("standard"),
});

export type ShippingConfig = z.infer<typeof shippingConfigSchema>;

export function shippingPolicyOf(config: Pick<ShippingConfig, "SHOPMESH_SHIPPING_SERVICE_LEVEL">): ShippingPolicy {
  return { ...DEFAULT_SHIPPING_POLICY, defaultServiceLevel: config.SHOPMESH_SHIPPING_SERVICE_LEVEL };
}
