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

/** A limited code a checkout snapshot uses, with the limits it is held against. */
export interface LimitedCode {
  readonly code: string;
  /** 0 means unlimited. */
  readonly maxRedemptions: number;
  /** 0 means unlimited. */
  readonly maxRedemptionsPerUser: number;
}

/** The codes a cart's newest checkout snapshot uses, to be held until the snapshot expires. */
export interface RedemptionHoldRequest {
  readonly tenantId: TenantId;
  readonly cartId: string;
  readonly cartVersion: number;
  readonly userId: string;
  readonly codes: readonly LimitedCode[];
  /** Holds expiring at or before this instant count for nothing. */
  readonly now: Date;
  /** The snapshot's expiry: the holds end with it. */
  readonly expiresAt: Date;
}

export interface RefusedHold {
  readonly code: string;
  readonly reason: "exhausted" | "user_limit";
}

/**
 * Redemptions counted from orders, idempotent by order id, and the holds of checkout snapshots.
 *
 * A code's uses are its redemptions plus its live holds (one per code and cart, on the cart's
 * newest snapshot); a limit is checked against both.
 * - `hold` sets the cart's holds to the requested codes that fit their limits, each taken
 *   atomically against every concurrent `hold` (the hold of this cart itself aside), and releases
 *   the cart's other holds (superseded by this snapshot). It answers the codes it refused.
 * - `record` stores the order and adds one redemption per code (the promotion's total and the
 *   user's count) in one write, converting the cart's holds of those codes from that version or
 *   an earlier one; false when the order was already recorded.
 * - `giveBack` removes the redemptions again; false when there was nothing to give back (unknown
 *   order, or given back already).
 */
export interface RedemptionLedger {
  hold(request: RedemptionHoldRequest): Promise<readonly RefusedHold[]>;
  record(order: OrderRedemption): Promise<boolean>;
  find(tenantId: TenantId, orderId: string): Promise<OrderRedemption | undefined>;
  giveBack(tenantId: TenantId, orderId: string): Promise<boolean>;
}
