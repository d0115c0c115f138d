/**
 * Which events a consumer group has already handled, so that a redelivered event is skipped.
 * Stores that live in a context's database also offer a way to mark an event inside the
 * handler's own transaction (adapters/mikro-orm/mikro-orm-processed-events.ts), which closes
 * the window between "handled" and "marked".
 */
export interface ProcessedEvents {
  isProcessed(consumer: string, eventId: string): Promise<boolean>;
  /** Idempotent: marking an event twice is not an error. */
  markProcessed(consumer: string, eventId: string): Promise<void>;
}
