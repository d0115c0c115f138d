import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { DomainError, type DomainErrorKind, unavailable } from "../../../core/kit/domain-error.ts";
import type { Money } from "../../../core/kit/money.ts";
import type { CheckoutSnapshot, CheckoutSnapshots } from "../../../core/orders/checkout-snapshots.ts";
import { CartService } from "../../../gen/shop/cart/v1/cart_pb.ts";
import type { Money as ProtoMoney } from "../../../gen/shop/common/v1/money_pb.ts";
import { CORRELATION_HEADER, TENANT_HEADER } from "../call-context.ts";
import { ERROR_CODE_HEADER } from "../error-mapping.ts";
import { forwardedAuthorization } from "./forwarded-authorization.ts";

export interface RpcCheckoutSnapshotsOptions {
  /** Longest wait for cart per call when the caller's own deadline is later (or absent). */
  readonly timeoutMs?: number;
}

/** The cart's answers PlaceOrder passes on as they are (with the cart's stable code). */
const PASSED_ON: Partial<Record<Code, DomainErrorKind>> = {
  [Code.NotFound]: "not_found",
  [Code.FailedPrecondition]: "failed_precondition",
  [Code.PermissionDenied]: "permission_denied",
  [Code.Unauthenticated]: "unauthenticated",
  [Code.InvalidArgument]: "invalid",
};

/**
 * CheckoutSnapshots over CartService.GetCheckoutSnapshot (internal, gRPC in the mesh,
 * in-process embedded), forwarding the customer's authorization (the cart checks the cart is
 * theirs) with the tenant and correlation id, a deadline and the caller's abort signal. The
 * cart's NOT_FOUND, FAILED_PRECONDITION (`CART.VERSION_STALE`), PERMISSION_DENIED pass through;
 * anything else is UNAVAILABLE `ORDER.CART_UNAVAILABLE`.
 */
export function createRpcCheckoutSnapshots(transport: Transport, options: RpcCheckoutSnapshotsOptions = {}): CheckoutSnapshots {
  const client = createClient(CartService, transport);
  const timeoutMs = options.timeoutMs ?? 3_000;
  return {
    async get(ctx, cartId, cartVersion): Promise<CheckoutSnapshot> {
      const headers: Record<string, string> = { [TENANT_HEADER]: ctx.tenantId, [CORRELATION_HEADER]: ctx.correlationId };
      const authorization = forwardedAuthorization();
      if (authorization) headers.authorization = authorization;
      let response: Awaited<ReturnType<typeof client.getCheckoutSnapshot>>;
      try {
        response = await client.getCheckoutSnapshot(
          { cartId, cartVersion: BigInt(cartVersion) },
          { headers, signal: ctx.signal, timeoutMs },
        );
      } catch (error) {
        const failure = ConnectError.from(error);
        const kind = PASSED_ON[failure.code];
        if (kind) {
          const code = failure.metadata.get(ERROR_CODE_HEADER) ?? `CART.${Code[failure.code]}`;
          throw new DomainError(kind, code, failure.rawMessage, { cause: failure });
        }
        throw unavailable("ORDER.CART_UNAVAILABLE", "the cart service cannot answer", failure);
      }
      const s = response.snapshot;
      if (!s) throw unavailable("ORDER.CART_UNAVAILABLE", "the cart answered without a snapshot");
      const totals = s.totals;
      const currency = totals?.total?.currencyCode ?? "";
      const m = (value: ProtoMoney | undefined): Money => ({
        amountMinor: Number(value?.amountMinor ?? 0n),
        currency: value?.currencyCode || currency,
      });
      const a = s.shippingAddress;
      return {
        cartId: s.cartId,
        cartVersion: Number(s.cartVersion),
        userId: s.userId,
        lines: s.lines.map((l) => ({
          sku: l.sku,
          productId: l.productId,
          productName: l.productName,
          quantity: l.quantity,
          unitPrice: m(l.unitPrice),
          lineSubtotal: m(l.lineSubtotal),
          lineDiscount: m(l.lineDiscount),
          lineTax: m(l.lineTax),
          lineTotal: m(l.lineTotal),
        })),
        promotionCodes: s.appliedPromotions.map((p) => p.code),
        totals: {
          subtotal: m(totals?.subtotal),
          discountTotal: m(totals?.discountTotal),
          taxTotal: m(totals?.taxTotal),
          total: m(totals?.total),
        },
        shippingAddress: {
          recipientName: a?.recipientName ?? "",
          addressLines: [...(a?.addressLines ?? [])],
          locality: a?.locality ?? "",
          administrativeArea: a?.administrativeArea ?? "",
          postalCode: a?.postalCode ?? "",
          countryCode: a?.countryCode ?? "",
          phoneNumber: a?.phoneNumber ?? "",
        },
        expiresAt: s.expireTime ? timestampDate(s.expireTime) : new Date(0),
        readyForCheckout: response.readyForCheckout,
      };
    },
  };
}
