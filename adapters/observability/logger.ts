import { type DestinationStream, type LevelWithSilent, type Logger, pino } from "pino";
import { currentLogFields } from "./log-context.ts";

export type { Logger } from "pino";

/**
 * Structured JSON to stdout. Every line names the service and, inside a call or an event,
 * the tenant and correlation id (from log-context), so a workflow can be followed across services.
 */
export function createLogger(service: string, level: LevelWithSilent = "info", destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
    mixin: () => ({ ...currentLogFields() }),
    redact: { paths: ["password", "*.password", "token", "*.token", "authorization", "*.authorization"], censor: "[redacted]" },
  };
  return destination ? pino(options, destination) : pino(options);
}
