import { pino, type Logger, type LevelWithSilent } from "pino";
import { currentLogFields } from "./log-context.ts";

export type { Logger } from "pino";

/**
 * Structured JSON to stdout. Every line names the service and, inside a call or an event,
 * the tenant and correlation id (from log-context), so a workflow can be followed across services.
 */
export function createLogger(service: string, level: LevelWithSilent = "info"): Logger {
  return pino({
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    mixin: () => ({ ...currentLogFields() }),
    redact: { paths: ["password", "*.password", "token", "*.token", "authorization"], censor: "[redacted]" },
  });
}
