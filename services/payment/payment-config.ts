import { z } from "zod";
import { accessTokenVerifyingConfig, remoteJwksConfig } from "../../adapters/config/access-token-config.ts";
import { DEFAULT_PAYMENT_POLICY, type PaymentPolicy } from "../../core/payment/payment-deps.ts";
import { meshConfigFields, port, processConfigFields } from "../runtime/process-config.ts";
import { retentionConfigFields } from "../runtime/retention-config.ts";

/** The provider's secrets: no defaults, ever (tests and the embedded mode generate their own). */
const secret = () => z.string().min(16);

export const paymentConfigSchema = z.object({
  ...processConfigFields,
  ...meshConfigFields,
  ...retentionConfigFields,
  ...accessTokenVerifyingConfig,
  ...remoteJwksConfig,
  SHOPMESH_PORT: port(7008),
  SHOPMESH_PAYMENT_DATABASE: z
    .string()
    .regex(/^[a-z0-9_]{1,64}$/)
    .default("shopmesh_payment"),
  /** The Stripe-shaped API: the sandbox process (http://127.0.0.1:7018) or the real provider. */
  SHOPMESH_PAYMENT_PROVIDER_URL: z.string().url(),
  SHOPMESH_PAYMENT_PROVIDER_NAME: z
    .string()
    .regex(/^[a-z]{1,32}$/)
    .default("sandbox"),
  SHOPMESH_PAYMENT_PROVIDER_SECRET_KEY: secret(),
  /** Signs the provider's webhooks to POST /webhooks/payment-provider. */
  SHOPMESH_PAYMENT_WEBHOOK_SECRET: secret(),
  SHOPMESH_PAYMENT_WEBHOOK_TOLERANCE_SECONDS: z.coerce.number().int().min(1).max(3_600).default(300),
  /** Deadline of one provider call; past it the payment stays PROCESSING for the resolver. */
  SHOPMESH_PAYMENT_PROVIDER_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
  /** How long a PROCESSING payment waits before the resolver asks the provider (keep it above the timeout). */
  SHOPMESH_PAYMENT_RESOLVE_AFTER_SECONDS: z.coerce.number().int().min(1).max(3_600).default(10),
  SHOPMESH_PAYMENT_RESOLVE_INTERVAL_MS: z.coerce.number().int().min(50).max(600_000).default(2_000),
});

export type PaymentConfig = z.infer<typeof paymentConfigSchema>;

export function paymentPolicyOf(config: Pick<PaymentConfig, "SHOPMESH_PAYMENT_RESOLVE_AFTER_SECONDS">): PaymentPolicy {
  return { ...DEFAULT_PAYMENT_POLICY, resolveAfterMs: config.SHOPMESH_PAYMENT_RESOLVE_AFTER_SECONDS * 1000 };
}
