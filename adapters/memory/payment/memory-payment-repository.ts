import { conflict } from "../../../core/kit/domain-error.ts";
import type { EventMapper } from "../../../core/kit/event-mapper.ts";
import type { IntegrationEvent } from "../../../core/kit/integration-event.ts";
import { decodePageToken, encodePageToken } from "../../../core/kit/page-token.ts";
import type { RequestContext, TenantId } from "../../../core/kit/request-context.ts";
import type { Payment, PaymentStatus } from "../../../core/payment/payment.ts";
import type { PaymentEvent } from "../../../core/payment/payment-events.ts";
import type { Page, PaymentRepository } from "../../../core/payment/payment-repository.ts";

interface Row {
  readonly sequence: number;
  readonly tenantId: TenantId;
  payment: Payment;
}

/** Payments in memory (unit tests, contract reference); events collect in `outbox`. */
export class MemoryPaymentRepository implements PaymentRepository {
  readonly #rows: Row[] = [];
  readonly #toEvent: EventMapper<PaymentEvent>;
  readonly outbox: IntegrationEvent[] = [];
  #sequence = 0;

  constructor(toEvent: EventMapper<PaymentEvent>) {
    this.#toEvent = toEvent;
  }

  async insertOrGet(ctx: RequestContext, payment: Payment): Promise<{ inserted: boolean; payment: Payment }> {
    const existing = this.#rows.find((r) => r.tenantId === ctx.tenantId && r.payment.orderId === payment.orderId);
    if (existing) return { inserted: false, payment: existing.payment };
    this.#rows.push({ sequence: ++this.#sequence, tenantId: ctx.tenantId, payment });
    return { inserted: true, payment };
  }

  async save(ctx: RequestContext, payment: Payment, events: readonly PaymentEvent[]): Promise<void> {
    const row = this.#rows.find((r) => r.tenantId === ctx.tenantId && r.payment.id === payment.id);
    if (!row || row.payment.version !== payment.version - 1) {
      throw conflict("PAYMENT.CONCURRENT_UPDATE", `payment ${payment.id} changed meanwhile`);
    }
    const encoded = events.map((event) => this.#toEvent(event, ctx));
    row.payment = payment;
    this.outbox.push(...encoded);
  }

  async findById(tenantId: TenantId, paymentId: string): Promise<Payment | undefined> {
    return this.#rows.find((r) => r.tenantId === tenantId && r.payment.id === paymentId)?.payment;
  }

  async findByOrder(tenantId: TenantId, orderId: string): Promise<Payment | undefined> {
    return this.#rows.find((r) => r.tenantId === tenantId && r.payment.orderId === orderId)?.payment;
  }

  async list(
    tenantId: TenantId,
    query: { status?: PaymentStatus; pageSize: number; pageToken?: string },
  ): Promise<Page<Payment>> {
    const after = decodePageToken(query.pageToken);
    const rows = this.#rows
      .filter((r) => r.tenantId === tenantId && (!query.status || r.payment.status === query.status))
      .filter((r) => !after || r.sequence < Number(after))
      .sort((a, b) => b.sequence - a.sequence);
    const page = rows.slice(0, query.pageSize);
    const last = page.at(-1);
    return {
      items: page.map((r) => r.payment),
      nextPageToken: rows.length > query.pageSize && last ? encodePageToken(String(last.sequence)) : undefined,
    };
  }

  async claimUnresolved(now: Date, olderThan: Date, leaseUntil: Date, limit: number) {
    const due = this.#rows
      .filter(
        (r) =>
          r.payment.status === "processing" &&
          r.payment.updatedAt < olderThan &&
          (!r.payment.resolveLeaseUntil || r.payment.resolveLeaseUntil <= now),
      )
      .sort((a, b) => a.payment.updatedAt.getTime() - b.payment.updatedAt.getTime())
      .slice(0, limit);
    for (const row of due) row.payment = { ...row.payment, resolveLeaseUntil: leaseUntil };
    return due.map((r) => ({ tenantId: r.tenantId, payment: r.payment }));
  }
}
