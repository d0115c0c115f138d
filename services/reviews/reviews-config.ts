import { z } from "zod";
import { accessTokenVerifyingConfig, remoteJwksConfig } from "../../adapters/config/access-token-config.ts";
import { port, processConfigFields } from "../runtime/process-config.ts";
import { documentRetentionConfigFields } from "../runtime/retention-config.ts";

export const reviewsConfigSchema = z.object({
  ...processConfigFields,
  ...documentRetentionConfigFields,
  ...accessTokenVerifyingConfig,
  ...remoteJwksConfig,
  SHOPMESH_PORT: port(7004),
  /** The document store (FerretDB here, MongoDB in production). Required: no default. */
  SHOPMESH_MONGO_URL: z.string().url(),
  SHOPMESH_REVIEWS_DATABASE: z
    .string()
    .regex(/^[a-z0-9_]{1,64}$/)
    .default("shopmesh_reviews"),
  SHOPMESH_KAFKA_BROKERS: z
    .string()
    .min(1)
    .transform((value) => value.split(",").map((broker) => broker.trim())),
  /** host:port of the catalog process's gRPC side (GetProduct: may this product be reviewed). Required. */
  SHOPMESH_CATALOG_GRPC_TARGET: z.string().min(3),
  /** The rating sweeper: pause between sweeps, and how old a rating mark must be before it is swept. */
  SHOPMESH_REVIEWS_RATING_SWEEP_INTERVAL_MS: z.coerce.number().int().min(10).max(600_000).default(5_000),
  SHOPMESH_REVIEWS_RATING_SWEEP_GRACE_MS: z.coerce.number().int().min(0).max(3_600_000).default(10_000),
});

export type ReviewsConfig = z.infer<typeof reviewsConfigSchema>;
