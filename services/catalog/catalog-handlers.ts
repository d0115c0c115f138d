import { create } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import {
  createCategory,
  deleteCategory,
  getCategory,
  listCategories,
  updateCategory,
} from "../../core/catalog/category-admin.ts";
import type { CatalogDeps } from "../../core/catalog/catalog-deps.ts";
import {
  archiveProduct,
  bulkImportProducts,
  createProduct,
  deleteProduct,
  updateProduct,
} from "../../core/catalog/product-admin.ts";
import { getProduct, listProducts, searchProducts } from "../../core/catalog/product-browse.ts";
import type { ProductSnapshot } from "../../core/catalog/product.ts";
import { batchGetVariants } from "../../core/catalog/variant-lookup.ts";
import { isDomainError } from "../../core/kit/domain-error.ts";
import { requestContext } from "../../adapters/rpc/call-context.ts";
import { validateRequest } from "../../adapters/rpc/request-validation.ts";
import { type CatalogService, type GetProductResponse, GetProductResponseSchema } from "../../gen/shop/catalog/v1/catalog_pb.ts";
import { ProductInputSchema } from "../../gen/shop/catalog/v1/products_pb.ts";
import {
  categoryToProto,
  fromAttributeSpec,
  fromProductInput,
  fromProtoFilter,
  fromProtoSearchSort,
  fromProtoSort,
  productToProto,
  summaryToProto,
  variantToProto,
} from "./catalog-proto-mapping.ts";

const KIND_TO_CODE: Record<string, string> = {
  invalid: "INVALID_ARGUMENT",
  already_exists: "ALREADY_EXISTS",
  not_found: "NOT_FOUND",
  failed_precondition: "FAILED_PRECONDITION",
  conflict: "ABORTED",
};

/** CatalogService: proto in, core use case, proto out. Roles are checked in the core. */
export function catalogHandlers(deps: CatalogDeps): ServiceImpl<typeof CatalogService> {
  /**
   * GetProduct's answer per snapshot object: the near cache hands back the same snapshot on
   * every hit, so a warm read skips the mapping (the message is frozen by use: never mutated).
   */
  const mappedResponses = new WeakMap<ProductSnapshot, GetProductResponse>();
  return {
    async createProduct(request, ctx) {
      const product = await createProduct(deps, requestContext(ctx), fromProductInput(request.product), request.idempotencyKey);
      return { product: productToProto(product) };
    },
    async updateProduct(request, ctx) {
      const content = fromProductInput(request.product);
      const product = await updateProduct(deps, requestContext(ctx), request.productId, Number(request.expectedVersion), content);
      return { product: productToProto(product) };
    },
    async archiveProduct(request, ctx) {
      return {
        product: productToProto(
          await archiveProduct(deps, requestContext(ctx), request.productId, Number(request.expectedVersion)),
        ),
      };
    },
    async deleteProduct(request, ctx) {
      await deleteProduct(deps, requestContext(ctx), request.productId, Number(request.expectedVersion));
      return {};
    },
    async bulkImportProducts(request, ctx) {
      const items = request.items.map((item) => ({
        reference: item.clientReference,
        content: (() => {
          try {
            if (item.product) validateRequest(ProductInputSchema, item.product);
            return fromProductInput(item.product);
          } catch (error) {
            if (isDomainError(error)) return error;
            throw error;
          }
        })(),
      }));
      const results = await bulkImportProducts(deps, requestContext(ctx), items, request.idempotencyKey);
      return {
        results: results.map((r) =>
          "product" in r
            ? {
                index: r.index,
                clientReference: r.reference,
                outcome: { case: "product" as const, value: productToProto(r.product) },
              }
            : {
                index: r.index,
                clientReference: r.reference,
                outcome: {
                  case: "error" as const,
                  value: {
                    code: KIND_TO_CODE[r.error.kind] ?? "INVALID_ARGUMENT",
                    reason: r.error.code,
                    message: r.error.message,
                    fieldViolations: r.error.field
                      ? [{ field: r.error.field, rule: r.error.code, description: r.error.message }]
                      : [],
                  },
                },
              },
        ),
        createdCount: results.filter((r) => "product" in r).length,
        failedCount: results.filter((r) => "error" in r).length,
      };
    },
    async getProduct(request, ctx) {
      const product = await getProduct(deps, requestContext(ctx), request.productId);
      let response = mappedResponses.get(product);
      if (!response) {
        // Frozen: the gRPC bridge then serializes this cached copy once, not on every call.
        response = Object.freeze(create(GetProductResponseSchema, { product: productToProto(product) }));
        mappedResponses.set(product, response);
      }
      return response;
    },
    async batchGetVariants(request, ctx) {
      const lookup = await batchGetVariants(deps, requestContext(ctx), request.skus);
      return { variants: lookup.variants.map(variantToProto), missingSkus: [...lookup.missingSkus] };
    },
    async listProducts(request, ctx) {
      const page = await listProducts(deps, requestContext(ctx), {
        filter: fromProtoFilter(request.filter),
        sort: fromProtoSort(request.sortOrder),
        pageSize: request.page?.pageSize,
        pageToken: request.page?.pageToken || undefined,
      });
      return { products: page.products.map(summaryToProto), page: { nextPageToken: page.nextPageToken ?? "" } };
    },
    async searchProducts(request, ctx) {
      const result = await searchProducts(deps, requestContext(ctx), {
        query: request.query,
        filter: fromProtoFilter(request.filter),
        sort: fromProtoSearchSort(request.sortOrder),
        pageSize: request.page?.pageSize,
        pageToken: request.page?.pageToken || undefined,
        facetAttributes: request.facetAttributes,
      });
      return {
        products: result.products.map(summaryToProto),
        facets: result.facets.map((f) => ({
          field: f.field,
          values: f.values.map((v) => ({ value: v.value, productCount: BigInt(v.count) })),
        })),
        totalMatchCount: BigInt(result.total),
        page: { nextPageToken: result.nextPageToken ?? "" },
      };
    },
    async createCategory(request, ctx) {
      const category = await createCategory(deps, requestContext(ctx), {
        parentId: request.parentCategoryId,
        name: request.name,
        slug: request.slug,
        idempotencyKey: request.idempotencyKey,
        attributeSpecs: request.attributeSpecs.map(fromAttributeSpec),
      });
      return { category: categoryToProto(category) };
    },
    async updateCategory(request, ctx) {
      const category = await updateCategory(deps, requestContext(ctx), request.categoryId, Number(request.expectedVersion), {
        name: request.name,
        parentId: request.parentCategoryId,
        attributeSpecs: request.replaceAttributeSpecs ? request.attributeSpecs.map(fromAttributeSpec) : undefined,
      });
      return { category: categoryToProto(category) };
    },
    async deleteCategory(request, ctx) {
      await deleteCategory(deps, requestContext(ctx), request.categoryId, Number(request.expectedVersion));
      return {};
    },
    async getCategory(request, ctx) {
      return { category: categoryToProto(await getCategory(deps, requestContext(ctx), request.categoryId)) };
    },
    async listCategories(_request, ctx) {
      return { categories: (await listCategories(deps, requestContext(ctx))).map(categoryToProto) };
    },
  };
}
