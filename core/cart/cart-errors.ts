import { DomainError, failedPrecondition, invalidField, notFound, unavailable } from "../kit/domain-error.ts";

/** The cart context's expected failures, each with a stable code. */
export const cartErrors = {
  cartNotFound: (cartId: string) => notFound("cart", cartId, "CART.NOT_FOUND"),
  lineNotFound: (sku: string) => notFound("cart line", sku, "CART.LINE_NOT_FOUND"),
  skuNotFound: (sku: string) => notFound("sku", sku, "CART.SKU_NOT_FOUND"),
  notPurchasable: (sku: string) => failedPrecondition("CART.NOT_PURCHASABLE", `sku ${sku} cannot be bought`),
  aboveAvailability: (sku: string, available: number) =>
    failedPrecondition("CART.ABOVE_AVAILABILITY", `sku ${sku}: only ${available} available`),
  aboveLineMaximum: (sku: string, maximum: number) =>
    failedPrecondition("CART.ABOVE_LINE_MAXIMUM", `sku ${sku}: at most ${maximum} units per line`),
  cartFull: (maximumLines: number) => failedPrecondition("CART.FULL", `a cart holds at most ${maximumLines} lines`),
  cartEmpty: () => failedPrecondition("CART.EMPTY", "the cart is empty"),
  quantity: (reason: string) => invalidField("quantity", reason),
  idempotencyKeyReused: () =>
    new DomainError("invalid", "CART.IDEMPOTENCY_KEY_REUSED", "idempotency_key: already used for a different request", {
      field: "idempotency_key",
    }),
  currencyMismatch: (sku: string, priced: string, cart: string) =>
    failedPrecondition("CART.CURRENCY_MISMATCH", `sku ${sku} is priced in ${priced}, the cart is in ${cart}`),
  promotionNotFound: (code: string) => notFound("promotion", code, "CART.PROMOTION_NOT_FOUND"),
  promotionNotApplied: (code: string) => notFound("applied promotion", code, "CART.PROMOTION_NOT_APPLIED"),
  promotionRefused: (code: string, reason: PromotionRefusal) =>
    failedPrecondition(`CART.PROMOTION_${reason.toUpperCase()}`, `promotion ${code}: ${PROMOTION_REFUSAL_TEXT[reason]}`),
  catalogUnavailable: (cause?: unknown) => unavailable("CART.CATALOG_UNAVAILABLE", "catalog cannot price the cart now", cause),
  inventoryUnavailable: (cause?: unknown) =>
    unavailable("CART.INVENTORY_UNAVAILABLE", "inventory cannot check availability now", cause),
  versionStale: (cartId: string) =>
    failedPrecondition("CART.VERSION_STALE", `cart ${cartId} changed since the snapshot or the snapshot expired`),
};

/** Why a promotion does not apply to a cart now. */
export type PromotionRefusal =
  | "disabled"
  | "not_started"
  | "ended"
  | "below_minimum"
  | "exhausted"
  | "user_limit"
  | "not_stackable"
  | "no_eligible_lines";

const PROMOTION_REFUSAL_TEXT: Record<PromotionRefusal, string> = {
  disabled: "is disabled",
  not_started: "is not valid yet",
  ended: "has expired",
  below_minimum: "the cart is below its minimum spend",
  exhausted: "has reached its usage limit",
  user_limit: "has reached its usage limit for this customer",
  not_stackable: "cannot be combined with a promotion already applied",
  no_eligible_lines: "no line of the cart is eligible",
};
