import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { unavailable } from "../../core/kit/domain-error.ts";
import type { ProductCatalog } from "../../core/reviews/product-catalog.ts";
import { CORRELATION_HEADER, TENANT_HEADER } from "../../adapters/rpc/call-context.ts";
import { CatalogService } from "../../gen/shop/catalog/v1/catalog_pb.ts";

/**
 * The ProductCatalog of a real deployment: CatalogService.GetProduct, asked as a shopper of the
 * caller's tenant (x-tenant-id, no token), so only ACTIVE products can be reviewed. NOT_FOUND
 * means no such product; anything else means the catalog cannot answer: UNAVAILABLE.
 */
export function createCatalogProductCatalog(transport: Transport, options: { timeoutMs?: number } = {}): ProductCatalog {
  const client = createClient(CatalogService, transport);
  const timeoutMs = options.timeoutMs ?? 3_000;
  return {
    async exists(productId, ctx) {
      try {
        await client.getProduct(
          { productId },
          { headers: { [TENANT_HEADER]: ctx.tenantId, [CORRELATION_HEADER]: ctx.correlationId }, signal: ctx.signal, timeoutMs },
        );
        return true;
      } catch (error) {
        const failure = ConnectError.from(error);
        if (failure.code === Code.NotFound) return false;
        throw unavailable("REVIEW.CATALOG_UNAVAILABLE", "the catalog cannot tell whether the product exists", failure);
      }
    },
  };
}
