import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { isDomainError } from "../../../core/kit/domain-error.ts";
import type { RequestContext } from "../../../core/kit/request-context.ts";
import { cartErrors } from "../../../core/cart/cart-errors.ts";
import type { PriceSource, SkuPrice } from "../../../core/cart/price-source.ts";
import { CatalogService } from "../../../gen/shop/catalog/v1/catalog_pb.ts";
import { ProductStatus } from "../../../gen/shop/catalog/v1/products_pb.ts";
import { CORRELATION_HEADER, TENANT_HEADER } from "../call-context.ts";

export interface RpcPriceSourceOptions {
  /** Longest wait for catalog per call when the caller's own deadline is later (or absent). */
  readonly timeoutMs?: number;
  /** After catalog answered UNIMPLEMENTED to BatchGetVariants, how long to go straight to GetProduct. */
  readonly batchRetryMs?: number;
  readonly now?: () => number;
}

/** BatchGetVariants takes at most this many SKUs. */
const BATCH = 200;

/**
 * The PriceSource of a real deployment: CatalogService through a Connect client over the given
 * transport (gRPC in the mesh, in-process embedded), asked as a shopper of the caller's tenant
 * (x-tenant-id, no token), each call with a deadline and the caller's abort signal.
 * BatchGetVariants (200 SKUs a call); while catalog answers it UNIMPLEMENTED, GetProduct once
 * per distinct product of the SKUs the cart already knows (a SKU it does not know cannot be
 * looked up: UNAVAILABLE). Anything but an answer means catalog is down: UNAVAILABLE
 * (`CART.CATALOG_UNAVAILABLE`), which the cart turns into stale prices on reads.
 */
export function createRpcPriceSource(transport: Transport, options: RpcPriceSourceOptions = {}): PriceSource {
  const client = createClient(CatalogService, transport);
  const timeoutMs = options.timeoutMs ?? 2_000;
  const batchRetryMs = options.batchRetryMs ?? 30_000;
  const now = options.now ?? Date.now;
  let batchUnsupportedUntil = 0;
  const callOptions = (ctx: RequestContext) => ({
    headers: { [TENANT_HEADER]: ctx.tenantId, [CORRELATION_HEADER]: ctx.correlationId },
    signal: ctx.signal,
    timeoutMs,
  });

  async function batch(ctx: RequestContext, skus: readonly string[]): Promise<Map<string, SkuPrice>> {
    const found = new Map<string, SkuPrice>();
    for (let i = 0; i < skus.length; i += BATCH) {
      const { variants } = await client.batchGetVariants({ skus: skus.slice(i, i + BATCH) }, callOptions(ctx));
      for (const v of variants) {
        found.set(v.sku, {
          sku: v.sku,
          productId: v.productId,
          productName: v.productName,
          imageUrl: v.imageUrl,
          unitPriceMinor: Number(v.price?.amountMinor ?? 0n),
          currency: v.price?.currencyCode ?? "",
          taxClass: v.taxClass,
          purchasable: v.purchasable,
        });
      }
    }
    return found;
  }

  async function byProduct(
    ctx: RequestContext,
    skus: readonly string[],
    known: ReadonlyMap<string, string>,
  ): Promise<Map<string, SkuPrice>> {
    const unknown = skus.filter((sku) => !known.has(sku));
    if (unknown.length > 0) {
      throw cartErrors.catalogUnavailable(new Error(`catalog cannot look up SKU ${unknown[0]} without BatchGetVariants`));
    }
    const wanted = new Set(skus);
    const productIds = [...new Set(skus.map((sku) => known.get(sku) as string))];
    const found = new Map<string, SkuPrice>();
    await Promise.all(
      productIds.map(async (productId) => {
        let product: Awaited<ReturnType<typeof client.getProduct>>["product"];
        try {
          ({ product } = await client.getProduct({ productId }, callOptions(ctx)));
        } catch (error) {
          if (ConnectError.from(error).code === Code.NotFound) return; // gone or not for sale: its SKUs are unknown
          throw error;
        }
        if (!product) return;
        for (const variant of product.variants) {
          if (!wanted.has(variant.sku)) continue;
          found.set(variant.sku, {
            sku: variant.sku,
            productId: product.productId,
            productName: product.name,
            imageUrl: product.images[0]?.url ?? "",
            unitPriceMinor: Number(variant.price?.amountMinor ?? 0n),
            currency: variant.price?.currencyCode ?? "",
            taxClass: product.taxClass,
            purchasable: product.status === ProductStatus.ACTIVE,
          });
        }
      }),
    );
    return found;
  }

  return {
    async prices(ctx, skus, known = new Map()) {
      if (skus.length === 0) return new Map();
      try {
        if (now() >= batchUnsupportedUntil) {
          try {
            return await batch(ctx, skus);
          } catch (error) {
            if (ConnectError.from(error).code !== Code.Unimplemented) throw error;
            batchUnsupportedUntil = now() + batchRetryMs;
          }
        }
        return await byProduct(ctx, skus, known);
      } catch (error) {
        if (isDomainError(error)) throw error;
        throw cartErrors.catalogUnavailable(ConnectError.from(error));
      }
    },
  };
}
