import { z } from "zod";
import { host, port } from "../../adapters/config/env-config.ts";

export const embeddedConfigSchema = z.object({
  SHOPMESH_HOST: host(),
  SHOPMESH_PORT: port(8080),
  SHOPMESH_LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  SHOPMESH_DRAIN_MS: z.coerce.number().int().min(0).max(60_000).default(5_000),
  SHOPMESH_VERSION: z.string().min(1).default("dev"),
});

export type EmbeddedConfig = z.infer<typeof embeddedConfigSchema>;
