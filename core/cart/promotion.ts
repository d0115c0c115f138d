import { invalidField } from "../kit/domain-error.ts";
import type { TenantId } from "../kit/request-context.ts";
import type { PromotionRefusal } from "./cart-errors.ts";

/** What a promotion gives; amounts in minor units of the tenant currency. */
export type PromotionBenefit =
  | { readonly kind: "percentage_off"; readonly basisPoints: number }
  | { readonly kind: "fixed_amount_off"; readonly amountMinor: number }
  | {
      readonly kind: "buy_x_get_y";
      readonly buyQuantity: number;
      readonly getQuantity: number;
      readonly discountBasisPoints: number;
    };

/** What an admin defines (immutable once created). */
export interface PromotionDefinition {
  /** Upper-cased, unique in the tenant. */
  readonly code: string;
  readonly description: string;
  readonly benefit: PromotionBenefit;
  /** Empty: every line is eligible. */
  readonly eligibleSkus: readonly string[];
  /** Minimum cart subtotal before discounts; 0 means none. */
  readonly minimumSubtotalMinor: number;
  readonly startsAt: Date | undefined;
  readonly endsAt: Date | undefined;
  /** 0 means unlimited. */
  readonly maxRedemptions: number;
  /** 0 means unlimited. */
  readonly maxRedemptionsPerUser: number;
  /** Combines only with other stackable promotions; false by default. */
  readonly stackable: boolean;
}

export type PromotionStatus = "active" | "disabled";

export interface PromotionSnapshot {
  readonly tenantId: TenantId;
  readonly id: string;
  readonly status: PromotionStatus;
  readonly definition: PromotionDefinition;
  readonly redemptionCount: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly version: number;
}

const CODE = /^[A-Z0-9_-]{3,32}$/;

/** Upper-cases a code as customers type it; the contract compares codes upper-cased. */
export function normalizePromotionCode(code: string, field = "code"): string {
  const upper = code.trim().toUpperCase();
  if (!CODE.test(upper)) throw invalidField(field, "3 to 32 letters, digits, '-' or '_'");
  return upper;
}

/** Checks a definition's invariants (the contract checks the same at the edge). */
export function validPromotionDefinition(input: PromotionDefinition): PromotionDefinition {
  const code = normalizePromotionCode(input.code, "promotion.code");
  const description = input.description.trim();
  if (description.length === 0 || description.length > 200) throw invalidField("promotion.description", "1 to 200 characters");
  const b = input.benefit;
  const within = (value: number, min: number, max: number) => Number.isInteger(value) && value >= min && value <= max;
  if (b.kind === "percentage_off" && !within(b.basisPoints, 1, 10_000)) {
    throw invalidField("promotion.percentage_off.basis_points", "1 to 10000");
  }
  if (b.kind === "fixed_amount_off" && !(Number.isSafeInteger(b.amountMinor) && b.amountMinor > 0)) {
    throw invalidField("promotion.fixed_amount_off.amount", "must be positive");
  }
  if (b.kind === "buy_x_get_y") {
    if (!within(b.buyQuantity, 1, 100)) throw invalidField("promotion.buy_x_get_y.buy_quantity", "1 to 100");
    if (!within(b.getQuantity, 1, 100)) throw invalidField("promotion.buy_x_get_y.get_quantity", "1 to 100");
    if (!within(b.discountBasisPoints, 1, 10_000)) {
      throw invalidField("promotion.buy_x_get_y.discount_basis_points", "1 to 10000");
    }
  }
  if (input.eligibleSkus.length > 500 || new Set(input.eligibleSkus).size !== input.eligibleSkus.length) {
    throw invalidField("promotion.eligible_skus", "at most 500, unique");
  }
  if (!(Number.isSafeInteger(input.minimumSubtotalMinor) && input.minimumSubtotalMinor >= 0)) {
    throw invalidField("promotion.minimum_subtotal", "must not be negative");
  }
  if (input.startsAt && input.endsAt && input.endsAt.getTime() <= input.startsAt.getTime()) {
    throw invalidField("promotion.end_time", "must be after start_time");
  }
  if (!within(input.maxRedemptions, 0, 2 ** 31 - 1)) throw invalidField("promotion.max_redemptions", "must not be negative");
  if (!within(input.maxRedemptionsPerUser, 0, 2 ** 31 - 1)) {
    throw invalidField("promotion.max_redemptions_per_user", "must not be negative");
  }
  return { ...input, code, description };
}

/** What decides whether a promotion applies to one cart at one instant. */
export interface PromotionCheck {
  readonly now: Date;
  /** Cart subtotal before any discount. */
  readonly subtotalMinor: number;
  /** SKUs in the cart. */
  readonly skus: readonly string[];
  /** How often this customer has redeemed it (0 for a guest: checked again once signed in). */
  readonly userRedemptions: number;
  /** The other promotions applied to the cart. */
  readonly others: readonly PromotionDefinition[];
}

/** Why the promotion does not apply now, or undefined when it does. Checks in a fixed order. */
export function promotionRefusal(promotion: PromotionSnapshot, check: PromotionCheck): PromotionRefusal | undefined {
  const d = promotion.definition;
  if (promotion.status !== "active") return "disabled";
  if (d.startsAt && check.now.getTime() < d.startsAt.getTime()) return "not_started";
  if (d.endsAt && check.now.getTime() > d.endsAt.getTime()) return "ended";
  if (d.maxRedemptions > 0 && promotion.redemptionCount >= d.maxRedemptions) return "exhausted";
  if (d.maxRedemptionsPerUser > 0 && check.userRedemptions >= d.maxRedemptionsPerUser) return "user_limit";
  if (check.others.some((other) => other.code !== d.code && !(other.stackable && d.stackable))) return "not_stackable";
  if (check.subtotalMinor < d.minimumSubtotalMinor) return "below_minimum";
  if (d.eligibleSkus.length > 0 && !check.skus.some((sku) => d.eligibleSkus.includes(sku))) return "no_eligible_lines";
  return undefined;
}

export function createPromotion(tenantId: TenantId, id: string, definition: PromotionDefinition, now: Date): PromotionSnapshot {
  return {
    tenantId,
    id,
    status: "active",
    definition: validPromotionDefinition(definition),
    redemptionCount: 0,
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
}

/** Idempotent: disabling a disabled promotion changes nothing. */
export function disablePromotion(promotion: PromotionSnapshot, now: Date): PromotionSnapshot {
  if (promotion.status === "disabled") return promotion;
  return { ...promotion, status: "disabled", updatedAt: now, version: promotion.version + 1 };
}
