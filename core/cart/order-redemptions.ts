import type { TenantId } from "../kit/request-context.ts";

/** What cart keeps of an order (from OrderCreated): which cart version it came from and the codes it redeemed. */
export interface OrderRedemption {
  readonly tenantId: TenantId;
  readonly orderId: string;
  readonly userId: string;
  readonly cartId: string;
  readonly cartVersion: number;
  /** Upper-cased, unique. */
  readonly codes: readonly string[];
  /** The order was cancelled and its redemptions given back. */
  readonly returned: boolean;
  readonly createdAt: Date;
}

/**
 * Redemptions counted from orders, idempotent by order id. `record` stores the order and adds
 * one redemption per code (the promotion's total and the user's count) in one write; false when
 * the order was already recorded. `giveBack` removes them again; false when there was nothing
 * to give back (unknown order, or given back already).
 */
export interface RedemptionLedger {
  record(order: OrderRedemption): Promise<boolean>;
  find(tenantId: TenantId, orderId: string): Promise<OrderRedemption | undefined>;
  giveBack(tenantId: TenantId, orderId: string): Promise<boolean>;
}
