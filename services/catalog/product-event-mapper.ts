import type { ProductEvent, ProductSnapshot } from "../../core/catalog/product.ts";
import type { EventMapper } from "../../core/kit/event-mapper.ts";
import { encodeEvent } from "../../adapters/protobuf/integration-event-encoding.ts";
import {
  ProductCreatedSchema,
  ProductDeletedSchema,
  ProductLifecycle,
  ProductPriceChangedSchema,
  ProductUpdatedSchema,
} from "../../gen/shop/events/v1/product_events_pb.ts";
import { PRODUCT_EVENTS_TOPIC } from "../runtime/event-topics.ts";
export { PRODUCT_EVENTS_TOPIC };

const lifecycle = {
  draft: ProductLifecycle.DRAFT,
  active: ProductLifecycle.ACTIVE,
  archived: ProductLifecycle.ARCHIVED,
} as const;
const minor = (m: { amountMinor: number; currency: string }) => ({
  amountMinor: BigInt(m.amountMinor),
  currencyCode: m.currency,
});
const facts = (p: ProductSnapshot) => ({
  productId: p.id,
  version: BigInt(p.version),
  status: lifecycle[p.status],
  name: p.name,
  brand: p.brand,
  categoryId: p.categoryId,
  taxClass: p.taxClass,
  variants: p.variants.map((v) => ({ sku: v.sku, price: minor(v.price) })),
});

/** Product events on `product-events`, keyed by product id, each carrying the product version. */
export const productEventMapper: EventMapper<ProductEvent> = (event, ctx) => {
  const p = event.product;
  const address = { topic: PRODUCT_EVENTS_TOPIC, key: p.id, occurredAt: p.updatedAt };
  switch (event.type) {
    case "ProductCreated":
      return encodeEvent(ProductCreatedSchema, facts(p), address, ctx);
    case "ProductUpdated":
      return encodeEvent(ProductUpdatedSchema, { ...facts(p), removedSkus: [...event.removedSkus] }, address, ctx);
    case "ProductDeleted":
      return encodeEvent(
        ProductDeletedSchema,
        { productId: p.id, version: BigInt(p.version), skus: p.variants.map((v) => v.sku) },
        address,
        ctx,
      );
    case "ProductPriceChanged":
      return encodeEvent(
        ProductPriceChangedSchema,
        {
          productId: p.id,
          version: BigInt(p.version),
          sku: event.sku,
          previousPrice: minor(event.previousPrice),
          price: minor(event.price),
        },
        address,
        ctx,
      );
  }
};
