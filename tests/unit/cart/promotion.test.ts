import { describe, expect, it } from "vitest";
import { DomainError } from "../../../core/kit/domain-error.ts";
import type { TenantId } from "../../../core/kit/request-context.ts";
import {
  createPromotion,
  disablePromotion,
  type PromotionCheck,
  type PromotionDefinition,
  type PromotionSnapshot,
  promotionRefusal,
  validPromotionDefinition,
} from "../../../core/cart/promotion.ts";

const at = new Date("2026-11-10T12:00:00.000Z");
const tenant = "acme" as TenantId;

function aDefinition(overrides: Partial<PromotionDefinition> = {}): PromotionDefinition {
  return {
    code: "save10",
    description: "10% off",
    benefit: { kind: "percentage_off", basisPoints: 1000 },
    eligibleSkus: [],
    minimumSubtotalMinor: 0,
    startsAt: undefined,
    endsAt: undefined,
    maxRedemptions: 0,
    maxRedemptionsPerUser: 0,
    stackable: false,
    ...overrides,
  };
}

function aPromotion(definition: Partial<PromotionDefinition> = {}, redemptionCount = 0): PromotionSnapshot {
  return { ...createPromotion(tenant, "promo-1", aDefinition(definition), at), redemptionCount };
}

const check = (overrides: Partial<PromotionCheck> = {}): PromotionCheck => ({
  now: at,
  subtotalMinor: 5000,
  skus: ["A", "B"],
  userRedemptions: 0,
  others: [],
  ...overrides,
});

describe("promotion rules", () => {
  it("when created, then the code is stored upper-cased and the promotion is active", () => {
    const promotion = aPromotion();
    expect(promotion.definition.code).toBe("SAVE10");
    expect(promotion.status).toBe("active");
  });

  it.each([
    ["a fitting cart", aPromotion(), check(), undefined],
    ["a disabled promotion", disablePromotion(aPromotion(), at), check(), "disabled"],
    ["before its start", aPromotion({ startsAt: new Date(at.getTime() + 1) }), check(), "not_started"],
    ["exactly at its start", aPromotion({ startsAt: at }), check(), undefined],
    ["after its end", aPromotion({ endsAt: new Date(at.getTime() - 1) }), check(), "ended"],
    ["exactly at its end", aPromotion({ endsAt: at }), check(), undefined],
    ["all redemptions used", aPromotion({ maxRedemptions: 3 }, 3), check(), "exhausted"],
    ["one redemption left", aPromotion({ maxRedemptions: 3 }, 2), check(), undefined],
    ["the customer's redemptions used", aPromotion({ maxRedemptionsPerUser: 1 }), check({ userRedemptions: 1 }), "user_limit"],
    ["below the minimum spend", aPromotion({ minimumSubtotalMinor: 5001 }), check(), "below_minimum"],
    ["exactly the minimum spend", aPromotion({ minimumSubtotalMinor: 5000 }), check(), undefined],
    ["no eligible line", aPromotion({ eligibleSkus: ["Z"] }), check(), "no_eligible_lines"],
    ["a non-stackable one already applied", aPromotion(), check({ others: [aDefinition({ code: "OTHER" })] }), "not_stackable"],
    [
      "stackable itself but the applied one is not",
      aPromotion({ stackable: true }),
      check({ others: [aDefinition({ code: "OTHER" })] }),
      "not_stackable",
    ],
    [
      "both stackable",
      aPromotion({ stackable: true }),
      check({ others: [aDefinition({ code: "OTHER", stackable: true })] }),
      undefined,
    ],
  ])("when checked against %s, then the refusal is %s", (_name, promotion, c, expected) => {
    expect(promotionRefusal(promotion, c)).toBe(expected);
  });

  it.each([
    ["a bad code", { code: "a b" }, "promotion.code"],
    ["an empty description", { description: " " }, "promotion.description"],
    ["0 basis points", { benefit: { kind: "percentage_off" as const, basisPoints: 0 } }, "promotion.percentage_off.basis_points"],
    [
      "a zero fixed amount",
      { benefit: { kind: "fixed_amount_off" as const, amountMinor: 0 } },
      "promotion.fixed_amount_off.amount",
    ],
    ["a negative minimum", { minimumSubtotalMinor: -1 }, "promotion.minimum_subtotal"],
    ["an end before the start", { startsAt: at, endsAt: at }, "promotion.end_time"],
  ])("when defined with %s, then it is refused naming the field", (_name, overrides, field) => {
    let error: unknown;
    try {
      validPromotionDefinition(aDefinition(overrides));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).field).toBe(field);
  });
});
