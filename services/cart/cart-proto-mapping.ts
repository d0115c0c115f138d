import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { invalidField } from "../../core/kit/domain-error.ts";
import type { CartLineView, CartView } from "../../core/cart/cart-view.ts";
import type { CheckoutIssue } from "../../core/cart/checkout.ts";
import type { CheckoutSnapshot as CoreCheckoutSnapshot, ShippingAddress } from "../../core/cart/checkout-snapshot.ts";
import type { PromotionBenefit, PromotionDefinition, PromotionSnapshot } from "../../core/cart/promotion.ts";
import type { AmountCurrency } from "../../core/cart/promotion-admin.ts";
import type { TaxRate } from "../../core/cart/tax-rate.ts";
import {
  type Cart,
  type CartLineSchema,
  CartSchema,
  type CheckoutIssue as ProtoCheckoutIssue,
  CheckoutIssueKind,
  CheckoutIssueSchema,
  type CheckoutSnapshot,
  CheckoutSnapshotSchema,
} from "../../gen/shop/cart/v1/cart_pb.ts";
import type { PostalAddress } from "../../gen/shop/common/v1/address_pb.ts";
import { type Promotion, type PromotionInput, PromotionSchema, PromotionStatus } from "../../gen/shop/cart/v1/promotions_pb.ts";
import { type TaxRate as ProtoTaxRate, TaxRateSchema } from "../../gen/shop/cart/v1/tax_pb.ts";
import type { Money } from "../../gen/shop/common/v1/money_pb.ts";

const moneyIn = (currency: string) => (minor: number) => ({ amountMinor: BigInt(minor), currencyCode: currency });

/** A line's amounts are in the cart's currency, or in its own when it is priced in another (left out of the totals). */
function lineToProto(line: CartLineView, currency: string): MessageInitShape<typeof CartLineSchema> {
  const money = moneyIn(line.currency ?? currency);
  return {
    sku: line.sku,
    productId: line.productId,
    productName: line.productName,
    imageUrl: line.imageUrl,
    quantity: line.quantity,
    unitPrice: money(line.unitPriceMinor),
    lineSubtotal: money(line.subtotalMinor),
    lineDiscount: money(line.discountMinor),
    lineTax: money(line.taxMinor),
    lineTotal: money(line.totalMinor),
    taxClass: line.taxClass,
    maxQuantity: line.maxQuantity,
  };
}

/** A cart view as the contract shows it: every amount in minor units of the cart currency. */
export function cartToProto(view: CartView): Cart {
  const money = moneyIn(view.currency);
  return create(CartSchema, {
    cartId: view.cartId,
    userId: view.userId ?? "",
    version: BigInt(view.version),
    lines: view.lines.map((line) => lineToProto(line, view.currency)),
    appliedPromotions: view.promotions.map((p) => ({
      code: p.code,
      description: p.description,
      discount: money(p.discountMinor),
    })),
    totals: {
      subtotal: money(view.subtotalMinor),
      discountTotal: money(view.discountTotalMinor),
      taxTotal: money(view.taxTotalMinor),
      total: money(view.totalMinor),
    },
    pricesStale: view.pricesStale,
    itemCount: view.itemCount,
    updateTime: timestampFromDate(view.updatedAt),
    expireTime: timestampFromDate(view.expiresAt),
  });
}

/** PromotionInput -> the core's definition (the core checks the invariants). */
export function promotionDefinitionFromProto(input: PromotionInput | undefined): PromotionDefinition {
  if (!input) throw invalidField("promotion", "required");
  const b = input.benefit;
  let benefit: PromotionBenefit;
  if (b.case === "percentageOff") benefit = { kind: "percentage_off", basisPoints: b.value.basisPoints };
  else if (b.case === "fixedAmountOff")
    benefit = { kind: "fixed_amount_off", amountMinor: minorOf(b.value.amount, "promotion.fixed_amount_off.amount") };
  else if (b.case === "buyXGetY") {
    benefit = {
      kind: "buy_x_get_y",
      buyQuantity: b.value.buyQuantity,
      getQuantity: b.value.getQuantity,
      discountBasisPoints: b.value.discountBasisPoints,
    };
  } else throw invalidField("promotion.benefit", "exactly one is required");
  return {
    code: input.code,
    description: input.description,
    benefit,
    eligibleSkus: [...input.eligibleSkus],
    minimumSubtotalMinor: input.minimumSubtotal ? minorOf(input.minimumSubtotal, "promotion.minimum_subtotal") : 0,
    startsAt: input.startTime ? timestampDate(input.startTime) : undefined,
    endsAt: input.endTime ? timestampDate(input.endTime) : undefined,
    maxRedemptions: input.maxRedemptions,
    maxRedemptionsPerUser: input.maxRedemptionsPerUser,
    stackable: input.stackable,
  };
}

/** The currency of every amount the input carries, with its field (the core checks they are the tenant's). */
export function promotionAmountCurrencies(input: PromotionInput | undefined): AmountCurrency[] {
  const amounts: AmountCurrency[] = [];
  if (input?.benefit.case === "fixedAmountOff" && input.benefit.value.amount) {
    amounts.push({ field: "promotion.fixed_amount_off.amount", currency: input.benefit.value.amount.currencyCode });
  }
  if (input?.minimumSubtotal) amounts.push({ field: "promotion.minimum_subtotal", currency: input.minimumSubtotal.currencyCode });
  return amounts;
}

function minorOf(money: Money | undefined, field: string): number {
  const amount = money?.amountMinor ?? 0n;
  if (amount > BigInt(Number.MAX_SAFE_INTEGER) || amount < -BigInt(Number.MAX_SAFE_INTEGER))
    throw invalidField(field, "too large");
  return Number(amount);
}

/** A promotion as the contract shows it; amounts in the tenant currency. */
export function promotionToProto(promotion: PromotionSnapshot, currency: string): Promotion {
  const d = promotion.definition;
  const money = (minor: number) => ({ amountMinor: BigInt(minor), currencyCode: currency });
  const benefit =
    d.benefit.kind === "percentage_off"
      ? { case: "percentageOff" as const, value: { basisPoints: d.benefit.basisPoints } }
      : d.benefit.kind === "fixed_amount_off"
        ? { case: "fixedAmountOff" as const, value: { amount: money(d.benefit.amountMinor) } }
        : {
            case: "buyXGetY" as const,
            value: {
              buyQuantity: d.benefit.buyQuantity,
              getQuantity: d.benefit.getQuantity,
              discountBasisPoints: d.benefit.discountBasisPoints,
            },
          };
  return create(PromotionSchema, {
    promotionId: promotion.id,
    status: promotion.status === "active" ? PromotionStatus.ACTIVE : PromotionStatus.DISABLED,
    definition: {
      code: d.code,
      description: d.description,
      benefit,
      eligibleSkus: [...d.eligibleSkus],
      minimumSubtotal: money(d.minimumSubtotalMinor),
      startTime: d.startsAt ? timestampFromDate(d.startsAt) : undefined,
      endTime: d.endsAt ? timestampFromDate(d.endsAt) : undefined,
      maxRedemptions: d.maxRedemptions,
      maxRedemptionsPerUser: d.maxRedemptionsPerUser,
      stackable: d.stackable,
    },
    redemptionCount: BigInt(promotion.redemptionCount),
    createTime: timestampFromDate(promotion.createdAt),
    updateTime: timestampFromDate(promotion.updatedAt),
  });
}

export function taxRateFromProto(rate: ProtoTaxRate | undefined): TaxRate {
  if (!rate) throw invalidField("tax_rate", "required");
  return {
    countryCode: rate.countryCode,
    administrativeArea: rate.administrativeArea,
    taxClass: rate.taxClass,
    ratePpm: rate.ratePpm,
  };
}

export function taxRateToProto(rate: TaxRate): ProtoTaxRate {
  return create(TaxRateSchema, rate);
}

/** PostalAddress -> the core's shipping address (the contract validated its fields). */
export function shippingAddressFromProto(address: PostalAddress | undefined): ShippingAddress {
  if (!address) throw invalidField("shipping_address", "required");
  return {
    recipientName: address.recipientName,
    addressLines: [...address.addressLines],
    locality: address.locality,
    administrativeArea: address.administrativeArea,
    postalCode: address.postalCode,
    countryCode: address.countryCode,
    phoneNumber: address.phoneNumber,
  };
}

/** A checkout snapshot as the contract shows it. */
export function checkoutSnapshotToProto(snapshot: CoreCheckoutSnapshot): CheckoutSnapshot {
  const money = moneyIn(snapshot.currency);
  return create(CheckoutSnapshotSchema, {
    cartId: snapshot.cartId,
    cartVersion: BigInt(snapshot.cartVersion),
    userId: snapshot.userId,
    lines: snapshot.lines.map((line) => lineToProto(line, snapshot.currency)),
    appliedPromotions: snapshot.promotions.map((p) => ({
      code: p.code,
      description: p.description,
      discount: money(p.discountMinor),
    })),
    totals: {
      subtotal: money(snapshot.subtotalMinor),
      discountTotal: money(snapshot.discountTotalMinor),
      taxTotal: money(snapshot.taxTotalMinor),
      total: money(snapshot.totalMinor),
    },
    shippingAddress: { ...snapshot.shippingAddress, addressLines: [...snapshot.shippingAddress.addressLines] },
    createTime: timestampFromDate(snapshot.createdAt),
    expireTime: timestampFromDate(snapshot.expiresAt),
  });
}

const ISSUE_KIND: Record<CheckoutIssue["kind"], CheckoutIssueKind> = {
  price_changed: CheckoutIssueKind.PRICE_CHANGED,
  quantity_reduced: CheckoutIssueKind.QUANTITY_REDUCED,
  unavailable: CheckoutIssueKind.UNAVAILABLE,
  promotion_removed: CheckoutIssueKind.PROMOTION_REMOVED,
};

export function checkoutIssueToProto(issue: CheckoutIssue): ProtoCheckoutIssue {
  return create(CheckoutIssueSchema, {
    kind: ISSUE_KIND[issue.kind],
    message: issue.message,
    sku: issue.kind === "promotion_removed" ? "" : issue.sku,
    promotionCode: issue.kind === "promotion_removed" ? issue.code : "",
    previousUnitPrice: issue.kind === "price_changed" ? moneyIn(issue.previousCurrency)(issue.previousUnitPriceMinor) : undefined,
    previousQuantity: issue.kind === "quantity_reduced" ? issue.previousQuantity : 0,
  });
}
