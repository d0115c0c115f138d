import type { RequestContext } from "../../../core/kit/request-context.ts";
import type { ProductCatalog } from "../../../core/reviews/product-catalog.ts";

/** Products known per tenant, for tests; `acceptAll` answers yes for any product. */
export class MemoryProductCatalog implements ProductCatalog {
  readonly #known = new Set<string>();
  readonly #acceptAll: boolean;

  constructor(options: { acceptAll?: boolean } = {}) {
    this.#acceptAll = options.acceptAll ?? false;
  }

  add(tenantId: string, ...productIds: string[]): this {
    for (const id of productIds) this.#known.add(`${tenantId}/${id}`);
    return this;
  }

  async exists(productId: string, ctx: RequestContext): Promise<boolean> {
    return this.#acceptAll || this.#known.has(`${ctx.tenantId}/${productId}`);
  }
}
