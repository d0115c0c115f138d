import { z } from "zod";
import { accessTokenVerifyingConfig, remoteJwksConfig } from "../../adapters/config/access-token-config.ts";
import { port, processConfigFields } from "../runtime/process-config.ts";
import { documentRetentionConfigFields } from "../runtime/retention-config.ts";

export const catalogConfigSchema = z.object({
  ...processConfigFields,
  ...documentRetentionConfigFields,
  ...accessTokenVerifyingConfig,
  ...remoteJwksConfig,
  SHOPMESH_PORT: port(7003),
  /** FerretDB or MongoDB. Required: no default. */
  SHOPMESH_MONGO_URL: z.string().min(10),
  SHOPMESH_CATALOG_DATABASE: z
    .string()
    .regex(/^[a-z0-9_]{1,64}$/)
    .default("shopmesh_catalog"),
  SHOPMESH_REDIS_URL: z.string().url(),
  SHOPMESH_KAFKA_BROKERS: z
    .string()
    .min(1)
    .transform((value) => value.split(",").map((broker) => broker.trim())),
  SHOPMESH_CATALOG_CACHE_TTL_SECONDS: z.coerce.number().int().min(1).max(3_600).default(300),
  /** The in-process near cache in front of Redis: how long a copy is trusted, and how many are kept. */
  SHOPMESH_CATALOG_NEAR_CACHE_MS: z.coerce.number().int().min(1).max(10_000).default(2_000),
  SHOPMESH_CATALOG_NEAR_CACHE_ENTRIES: z.coerce.number().int().min(100).max(1_000_000).default(10_000),
  /** The currency of a tenant the tenant directory knows none for (prices follow the tenant's own otherwise). */
  SHOPMESH_CATALOG_CURRENCY: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .default("EUR"),
});

export type CatalogConfig = z.infer<typeof catalogConfigSchema>;
