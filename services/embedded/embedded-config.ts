import { z } from "zod";
import { accessTokenIssuingConfig } from "../../adapters/config/access-token-config.ts";
import { loginConfigFields } from "../auth/login-config.ts";
import { port, processConfigFields } from "../runtime/process-config.ts";
import { carrierWebhookSecret } from "../shipping/shipping-config.ts";

export const embeddedConfigSchema = z.object({
  ...processConfigFields,
  ...accessTokenIssuingConfig,
  ...loginConfigFields,
  /** Optional here: without it, one is made at first start and kept in the data dir. */
  SHOPMESH_AUTH_KEY_ENCRYPTION_KEY: accessTokenIssuingConfig.SHOPMESH_AUTH_KEY_ENCRYPTION_KEY.optional(),
  SHOPMESH_PORT: port(8080),
  /** SQLite files of the embedded contexts; kept across restarts. */
  SHOPMESH_DATA_DIR: z.string().min(1).default(".data/embedded"),
  /** Optional here: without it, one is made at first start and kept in the data dir. */
  SHOPMESH_SHIPPING_CARRIER_WEBHOOK_SECRET: carrierWebhookSecret.optional(),
});

export type EmbeddedConfig = z.infer<typeof embeddedConfigSchema>;
