import { ConnectError, createClient, type Transport } from "@connectrpc/connect";
import type { AvailabilitySource } from "../../../core/cart/availability-source.ts";
import { cartErrors } from "../../../core/cart/cart-errors.ts";
import { InventoryService } from "../../../gen/shop/inventory/v1/inventory_pb.ts";
import { CORRELATION_HEADER, TENANT_HEADER } from "../call-context.ts";

export interface RpcAvailabilitySourceOptions {
  /** Longest wait for inventory per call when the caller's own deadline is later (or absent). */
  readonly timeoutMs?: number;
}

/** BatchGetAvailability takes at most this many SKUs. */
const BATCH = 200;

/**
 * The AvailabilitySource of a real deployment: InventoryService.BatchGetAvailability through a
 * Connect client over the given transport, as the caller's tenant (x-tenant-id), 200 SKUs a
 * call, each with a deadline and the caller's abort signal. A SKU inventory never saw reads 0.
 * Anything but an answer: UNAVAILABLE (`CART.INVENTORY_UNAVAILABLE`).
 */
export function createRpcAvailabilitySource(
  transport: Transport,
  options: RpcAvailabilitySourceOptions = {},
): AvailabilitySource {
  const client = createClient(InventoryService, transport);
  const timeoutMs = options.timeoutMs ?? 2_000;
  return {
    async available(ctx, skus) {
      const units = new Map<string, number>();
      try {
        for (let i = 0; i < skus.length; i += BATCH) {
          const { availabilities } = await client.batchGetAvailability(
            { skus: skus.slice(i, i + BATCH) },
            {
              headers: { [TENANT_HEADER]: ctx.tenantId, [CORRELATION_HEADER]: ctx.correlationId },
              signal: ctx.signal,
              timeoutMs,
            },
          );
          for (const a of availabilities) units.set(a.sku, a.availableQuantity);
        }
      } catch (error) {
        throw cartErrors.inventoryUnavailable(ConnectError.from(error));
      }
      return new Map(skus.map((sku) => [sku, units.get(sku) ?? 0]));
    },
  };
}
