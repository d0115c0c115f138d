import type { Cart } from "./cart.ts";
import type { CartDeps } from "./cart-deps.ts";
import { cartErrors } from "./cart-errors.ts";
import type { LimitedCode } from "./order-redemptions.ts";
import type { PromotionDefinition } from "./promotion.ts";

const isLimited = (d: PromotionDefinition) => d.maxRedemptions > 0 || d.maxRedemptionsPerUser > 0;

/**
 * Holds one use of every limited code the snapshot about to be frozen applies (and releases the
 * cart's holds of codes it no longer applies). A code whose limit is taken by redemptions and
 * other carts' holds is dropped from the cart; dropping moves the cart's version, so the kept
 * codes are held again at the version the snapshot gets (their uses are this cart's already, so
 * they fit). Answers the kept definitions and the dropped codes with why.
 */
export async function holdSnapshotCodes(
  deps: CartDeps,
  cart: Cart,
  userId: string,
  applicable: readonly PromotionDefinition[],
  now: Date,
  expiresAt: Date,
): Promise<{ readonly kept: PromotionDefinition[]; readonly dropped: { code: string; message: string }[] }> {
  let kept = [...applicable];
  const dropped: { code: string; message: string }[] = [];
  for (;;) {
    const codes: LimitedCode[] = kept.filter(isLimited).map((d) => ({
      code: d.code,
      maxRedemptions: d.maxRedemptions,
      maxRedemptionsPerUser: d.maxRedemptionsPerUser,
    }));
    const refused = await deps.redemptions.hold({
      tenantId: cart.tenantId,
      cartId: cart.id,
      cartVersion: cart.version,
      userId,
      codes,
      now,
      expiresAt,
    });
    if (refused.length === 0) return { kept, dropped };
    const codesRefused = refused.map((r) => r.code);
    for (const r of refused) dropped.push({ code: r.code, message: cartErrors.promotionRefused(r.code, r.reason).message });
    kept = kept.filter((d) => !codesRefused.includes(d.code));
    cart.dropPromotions(codesRefused, deps.policy, now);
  }
}
