import type { RequestContext } from "../kit/request-context.ts";

/**
 * Units that may be sold now per SKU (inventory). A SKU inventory does not know has 0. Throws
 * an `unavailable` DomainError when inventory cannot answer in time; uses `ctx.signal`.
 */
export interface AvailabilitySource {
  available(ctx: RequestContext, skus: readonly string[]): Promise<ReadonlyMap<string, number>>;
}
