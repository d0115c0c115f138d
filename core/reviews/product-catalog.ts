import type { RequestContext } from "../kit/request-context.ts";

/** What reviews needs to know of the catalog: whether a product can be reviewed. */
export interface ProductCatalog {
  /** True when the product exists in the caller's tenant (and is visible to the caller). */
  exists(productId: string, ctx: RequestContext): Promise<boolean>;
}
