import type { RequestContext } from "../../../core/kit/request-context.ts";
import type { AvailabilitySource } from "../../../core/cart/availability-source.ts";
import { cartErrors } from "../../../core/cart/cart-errors.ts";

/** Stock in a Map per tenant; `down` makes it answer UNAVAILABLE like an unreachable inventory. */
export class MemoryAvailabilitySource implements AvailabilitySource {
  readonly #units = new Map<string, number>();
  down = false;

  set(tenantId: string, sku: string, units: number): void {
    this.#units.set(`${tenantId}/${sku}`, units);
  }

  async available(ctx: RequestContext, skus: readonly string[]): Promise<ReadonlyMap<string, number>> {
    if (this.down) throw cartErrors.inventoryUnavailable();
    return new Map(skus.map((sku) => [sku, this.#units.get(`${ctx.tenantId}/${sku}`) ?? 0]));
  }
}
