import type { RequestContext, TenantId } from "../kit/request-context.ts";
import type { DeadLetter, Delivery, DeliveryStatus } from "./deliveries.ts";
import type { NotificationEvent } from "./notification-events.ts";
import type { Channel, NotificationType } from "./notification-types.ts";
import type { StoredTemplate, TemplateContent, TemplateKey } from "./templates.ts";

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextPageToken: string | undefined;
}

export interface DeliveryFilter {
  readonly userId?: string | undefined;
  readonly sourceEventId?: string | undefined;
  readonly status?: DeliveryStatus | undefined;
  readonly type?: NotificationType | undefined;
}

/** What an attempt changed: the delivery after it, a dead letter when it was the last, and events for the outbox. */
export interface AttemptOutcome {
  readonly delivery: Delivery;
  readonly deadLetter?: DeadLetter | undefined;
  readonly events: readonly NotificationEvent[];
}

/**
 * Templates, deliveries and dead letters of every tenant. Each method is atomic; events passed
 * in are written to the outbox in the same transaction as the state they describe.
 */
export interface NotificationStore {
  /** The tenant's overrides of (type, channel), every locale. */
  overridesOf(tenantId: TenantId, type: NotificationType, channel: Channel): Promise<StoredTemplate[]>;
  /**
   * Creates or replaces an override. `expectedVersion` 0 creates (an existing one is a
   * conflict), n replaces version n (another version is a conflict): ABORTED either way.
   */
  saveTemplate(
    tenantId: TenantId,
    key: TemplateKey,
    content: TemplateContent,
    expectedVersion: number,
    at: Date,
  ): Promise<StoredTemplate>;
  /** False when there was none. */
  deleteTemplate(tenantId: TenantId, key: TemplateKey): Promise<boolean>;
  /** The tenant's overrides, ordered by type, channel, locale. */
  listTemplates(tenantId: TenantId, filter: { type?: NotificationType; channel?: Channel }): Promise<StoredTemplate[]>;

  /**
   * Inserts the delivery unless one with its (tenant, dedupe key, channel) exists: then
   * nothing is written and the existing one comes back with created false.
   */
  addDelivery(ctx: RequestContext, delivery: Delivery): Promise<{ delivery: Delivery; created: boolean }>;
  /**
   * Takes a pending or retrying delivery whose lease is free for one attempt: sets its lease
   * until `leaseUntil` with one conditional update. Undefined when it is final, leased, or absent.
   */
  claimDelivery(tenantId: TenantId, deliveryId: string, now: Date, leaseUntil: Date): Promise<Delivery | undefined>;
  /** Writes an attempt's result (the lease is released), its dead letter and its events. */
  recordAttempt(ctx: RequestContext, outcome: AttemptOutcome): Promise<void>;
  /** Pending or retrying deliveries of any tenant due at `now` and not leased, oldest first. */
  dueDeliveries(now: Date, limit: number): Promise<{ tenantId: TenantId; deliveryId: string }[]>;
  findDelivery(tenantId: TenantId, deliveryId: string): Promise<Delivery | undefined>;
  /** Newest first. */
  listDeliveries(
    tenantId: TenantId,
    filter: DeliveryFilter,
    pageSize: number,
    pageToken: string | undefined,
  ): Promise<Page<Delivery>>;
  /** Newest first, each with its failed delivery. */
  listDeadLetters(
    tenantId: TenantId,
    includeRetried: boolean,
    pageSize: number,
    pageToken: string | undefined,
  ): Promise<Page<{ deadLetter: DeadLetter; delivery: Delivery }>>;
  /**
   * Atomically: when the dead letter was not retried yet, inserts `makeDelivery(failed)` and
   * marks the dead letter retried with it; when it was, changes nothing. Returns the dead letter,
   * its failed delivery and the retry delivery; undefined when there is no such dead letter.
   */
  retryDeadLetter(
    tenantId: TenantId,
    deadLetterId: string,
    makeDelivery: (failed: Delivery) => Delivery,
    at: Date,
  ): Promise<{ deadLetter: DeadLetter; failed: Delivery; retry: Delivery } | undefined>;
}
