import { type InferEntity, UniqueConstraintViolationException } from "@mikro-orm/core";
import type { SqlEntityManager } from "@mikro-orm/sql";
import { conflict } from "../../../core/kit/domain-error.ts";
import type { EventMapper } from "../../../core/kit/event-mapper.ts";
import { money } from "../../../core/kit/money.ts";
import type { RequestContext, TenantId } from "../../../core/kit/request-context.ts";
import type { FailureReason, Payment, PaymentStatus, Refund } from "../../../core/payment/payment.ts";
import type { PaymentEvent } from "../../../core/payment/payment-events.ts";
import type { Page, PaymentRepository } from "../../../core/payment/payment-repository.ts";
import { appendMappedToOutbox } from "../mikro-orm-outbox.ts";
import { afterSequence, sequencePage } from "../sequence-page.ts";
import { PaymentRecord } from "./payment-records.ts";

type PaymentRow = InferEntity<typeof PaymentRecord>;

/**
 * Payments in a SQL database (MariaDB, or SQLite embedded). Inserting relies on the unique
 * (tenant, order) key; every change is a conditional update on the version with its outbox
 * rows in the same transaction; the resolver's lease is a conditional update too.
 */
export class MikroOrmPaymentRepository implements PaymentRepository {
  readonly #em: SqlEntityManager;
  readonly #toEvent: EventMapper<PaymentEvent>;

  constructor(em: SqlEntityManager, toEvent: EventMapper<PaymentEvent>) {
    this.#em = em;
    this.#toEvent = toEvent;
  }

  async insertOrGet(ctx: RequestContext, payment: Payment): Promise<{ inserted: boolean; payment: Payment }> {
    try {
      await this.#em.fork().insert(PaymentRecord, { tenantId: ctx.tenantId, ...toFields(payment) });
      return { inserted: true, payment };
    } catch (error) {
      if (!(error instanceof UniqueConstraintViolationException)) throw error;
      const existing = await this.findByOrder(ctx.tenantId, payment.orderId);
      if (!existing) throw error;
      return { inserted: false, payment: existing };
    }
  }

  async save(ctx: RequestContext, payment: Payment, events: readonly PaymentEvent[]): Promise<void> {
    await this.#em.fork().transactional(async (em) => {
      const changed = await em.nativeUpdate(
        PaymentRecord,
        { tenantId: ctx.tenantId, paymentId: payment.id, version: payment.version - 1 },
        toFields(payment),
      );
      if (changed !== 1) throw conflict("PAYMENT.CONCURRENT_UPDATE", `payment ${payment.id} changed meanwhile`);
      await appendMappedToOutbox(em, this.#toEvent, ctx, events);
    });
  }

  async findById(tenantId: TenantId, paymentId: string): Promise<Payment | undefined> {
    const row = await this.#em.fork().findOne(PaymentRecord, { tenantId, paymentId }, { disableIdentityMap: true });
    return row ? toPayment(row) : undefined;
  }

  async findByOrder(tenantId: TenantId, orderId: string): Promise<Payment | undefined> {
    const row = await this.#em.fork().findOne(PaymentRecord, { tenantId, orderId }, { disableIdentityMap: true });
    return row ? toPayment(row) : undefined;
  }

  async list(
    tenantId: TenantId,
    query: { status?: PaymentStatus; pageSize: number; pageToken?: string },
  ): Promise<Page<Payment>> {
    const rows = await this.#em.fork().find(
      PaymentRecord,
      {
        tenantId,
        ...(query.status ? { status: query.status } : {}),
        ...afterSequence(query.pageToken),
      },
      { orderBy: { sequence: "desc" }, limit: query.pageSize + 1, disableIdentityMap: true },
    );
    return sequencePage(rows, query.pageSize, (page) => page.map(toPayment));
  }

  async claimUnresolved(now: Date, olderThan: Date, leaseUntil: Date, limit: number) {
    const em = this.#em.fork();
    const candidates = await em.find(
      PaymentRecord,
      {
        status: "processing",
        updatedAt: { $lt: olderThan },
        $or: [{ resolveLeaseUntil: null }, { resolveLeaseUntil: { $lte: now } }],
      },
      { orderBy: { updatedAt: "asc" }, limit, disableIdentityMap: true },
    );
    const claimed: { tenantId: TenantId; payment: Payment }[] = [];
    for (const row of candidates) {
      // Taken only if nobody changed or leased it since it was read.
      const won = await em.nativeUpdate(
        PaymentRecord,
        {
          sequence: row.sequence,
          version: row.version,
          status: "processing",
          $or: [{ resolveLeaseUntil: null }, { resolveLeaseUntil: { $lte: now } }],
        },
        { resolveLeaseUntil: leaseUntil },
      );
      if (won === 1)
        claimed.push({ tenantId: row.tenantId as TenantId, payment: { ...toPayment(row), resolveLeaseUntil: leaseUntil } });
    }
    return claimed;
  }
}

interface RefundJson {
  id: string;
  key: string;
  amountMinor: number;
  status: Refund["status"];
  reason: Refund["reason"];
  providerReference: string | null;
  createdAt: string;
}

function toFields(p: Payment) {
  return {
    paymentId: p.id,
    orderId: p.orderId,
    userId: p.userId,
    status: p.status,
    amountMinor: p.amount.amountMinor,
    currency: p.amount.currency,
    paymentMethodToken: p.paymentMethodToken,
    provider: p.provider,
    providerReference: p.providerReference ?? null,
    failureReason: p.failureReason ?? null,
    failureCode: p.failureCode ?? null,
    refunds: JSON.stringify(
      p.refunds.map(
        (r): RefundJson => ({
          id: r.id,
          key: r.idempotencyKey,
          amountMinor: r.amount.amountMinor,
          status: r.status,
          reason: r.reason,
          providerReference: r.providerReference ?? null,
          createdAt: r.createdAt.toISOString(),
        }),
      ),
    ),
    version: p.version,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
    resolveLeaseUntil: p.resolveLeaseUntil ?? null,
  };
}

function toPayment(row: PaymentRow): Payment {
  const refunds = (JSON.parse(row.refunds) as RefundJson[]).map(
    (r): Refund => ({
      id: r.id,
      idempotencyKey: r.key,
      amount: money(r.amountMinor, row.currency),
      status: r.status,
      reason: r.reason,
      providerReference: r.providerReference ?? undefined,
      createdAt: new Date(r.createdAt),
    }),
  );
  return {
    id: row.paymentId,
    orderId: row.orderId,
    userId: row.userId,
    status: row.status as PaymentStatus,
    amount: money(Number(row.amountMinor), row.currency),
    paymentMethodToken: row.paymentMethodToken,
    provider: row.provider,
    providerReference: row.providerReference ?? undefined,
    failureReason: (row.failureReason ?? undefined) as FailureReason | undefined,
    failureCode: row.failureCode ?? undefined,
    refunds,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    version: row.version,
    resolveLeaseUntil: row.resolveLeaseUntil ?? undefined,
  };
}
