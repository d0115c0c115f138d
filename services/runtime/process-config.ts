import { z } from "zod";
import { host, port } from "../../adapters/config/env-config.ts";

/** What every shopmesh process reads, whatever it serves. */
export const processConfigFields = {
  SHOPMESH_HOST: host(),
  SHOPMESH_LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  SHOPMESH_DRAIN_MS: z.coerce.number().int().min(0).max(60_000).default(5_000),
  SHOPMESH_VERSION: z.string().min(1).default("dev"),
};

/** What a distributed process on MariaDB and Kafka reads on top; none of it has a default. */
export const meshConfigFields = {
  SHOPMESH_MYSQL_URL: z.string().url(),
  SHOPMESH_KAFKA_BROKERS: z
    .string()
    .min(1)
    .transform((value) => value.split(",").map((broker) => broker.trim())),
};

export { port };
