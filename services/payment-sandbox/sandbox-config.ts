import { z } from "zod";
import { port, processConfigFields } from "../runtime/process-config.ts";

export const sandboxConfigSchema = z.object({
  ...processConfigFields,
  SHOPMESH_PORT: port(7018),
  /** The API key payment must send; no default. */
  SHOPMESH_PAYMENT_SANDBOX_SECRET_KEY: z.string().min(16),
  /** Signs the webhooks; no default. */
  SHOPMESH_PAYMENT_SANDBOX_WEBHOOK_SECRET: z.string().min(16),
  /** e.g. http://127.0.0.1:7008/webhooks/payment-provider; unset: no webhooks. */
  SHOPMESH_PAYMENT_SANDBOX_WEBHOOK_URL: z.string().url().optional(),
  SHOPMESH_PAYMENT_SANDBOX_LATE_MS: z.coerce.number().int().min(0).max(600_000).default(8_000),
  SHOPMESH_PAYMENT_SANDBOX_HANG_MS: z.coerce.number().int().min(0).max(600_000).default(30_000),
});
