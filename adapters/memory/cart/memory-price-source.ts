import type { RequestContext } from "../../../core/kit/request-context.ts";
import { cartErrors } from "../../../core/cart/cart-errors.ts";
import type { PriceSource, SkuPrice } from "../../../core/cart/price-source.ts";

/** A catalog in a Map per tenant; `down` makes it answer UNAVAILABLE like an unreachable catalog. */
export class MemoryPriceSource implements PriceSource {
  readonly #prices = new Map<string, SkuPrice>();
  down = false;

  set(tenantId: string, price: SkuPrice): void {
    this.#prices.set(`${tenantId}/${price.sku}`, price);
  }

  async prices(ctx: RequestContext, skus: readonly string[]): Promise<ReadonlyMap<string, SkuPrice>> {
    if (this.down) throw cartErrors.catalogUnavailable();
    const found = new Map<string, SkuPrice>();
    for (const sku of skus) {
      const price = this.#prices.get(`${ctx.tenantId}/${sku}`);
      if (price) found.set(sku, price);
    }
    return found;
  }
}
