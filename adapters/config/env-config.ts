import { z } from "zod";

/**
 * Reads a service's configuration from the environment and validates it once at start-up.
 * Any missing or malformed variable stops the process with every problem listed together;
 * secrets have no defaults, so a forgotten one fails here rather than in production traffic.
 */
export function readConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `  ${issue.path.join(".") || "(env)"}: ${issue.message}`);
  throw new ConfigError(`invalid configuration:\n${problems.join("\n")}`);
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/** Environment values are strings: these coerce and bound the usual shapes. */
export const port = (fallback: number) => z.coerce.number().int().min(0).max(65_535).default(fallback);
export const host = (fallback = "127.0.0.1") => z.string().min(1).default(fallback);
export const url = () => z.string().url();
