import type { RequestContext } from "../kit/request-context.ts";

/** What catalog says about a SKU now. */
export interface SkuPrice {
  readonly sku: string;
  readonly productId: string;
  readonly productName: string;
  /** "" when none. */
  readonly imageUrl: string;
  readonly unitPriceMinor: number;
  readonly currency: string;
  readonly taxClass: string;
  /** False for a product that is archived or otherwise not for sale. */
  readonly purchasable: boolean;
}

/**
 * Current prices (catalog). Unknown SKUs are simply absent from the answer. Throws an
 * `unavailable` DomainError when catalog cannot answer in time; uses `ctx.signal`.
 * `known` maps SKUs the cart already holds to their product ids: a catalog that can only be
 * asked by product (no SKU lookup) needs it; a SKU it cannot look up makes it throw `unavailable`.
 */
export interface PriceSource {
  prices(
    ctx: RequestContext,
    skus: readonly string[],
    known?: ReadonlyMap<string, string>,
  ): Promise<ReadonlyMap<string, SkuPrice>>;
}
