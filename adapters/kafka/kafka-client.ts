import { Kafka, type LogEntry, logLevel } from "kafkajs";

export interface KafkaClientOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** Where kafkajs warnings and errors go; one JSON line on stderr by default. */
  readonly log?: (entry: KafkaLogLine) => void;
  /** Connection and request retries of every client made from this one. */
  readonly retry?: { readonly retries: number; readonly initialRetryTimeMs: number };
}

export interface KafkaLogLine {
  readonly level: "warn" | "error";
  readonly namespace: string;
  readonly message: string;
  readonly extra: Record<string, unknown>;
}

export function createKafka(options: KafkaClientOptions): Kafka {
  const log = options.log ?? ((line) => process.stderr.write(`${JSON.stringify({ source: "kafkajs", ...line })}\n`));
  return new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    logLevel: logLevel.WARN,
    logCreator: () => (entry) => forwardQuietly(entry, log),
    retry: { retries: options.retry?.retries ?? 5, initialRetryTime: options.retry?.initialRetryTimeMs ?? 100 },
  });
}

/** The producer warns on every creation that bounded retries weaken its own exactly-once; we rely on consumer dedupe instead. */
const EXPECTED_WARNINGS = [/Limiting retries for the idempotent producer/];

function forwardQuietly(entry: LogEntry, log: (line: KafkaLogLine) => void): void {
  if (entry.level > logLevel.WARN || entry.level === logLevel.NOTHING) return;
  const { message, timestamp: _timestamp, logger: _logger, ...extra } = entry.log;
  if (EXPECTED_WARNINGS.some((pattern) => pattern.test(message))) return;
  log({ level: entry.level === logLevel.ERROR ? "error" : "warn", namespace: entry.namespace, message, extra });
}
