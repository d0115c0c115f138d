import { Code, ConnectError, createRouterTransport } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { MemoryAvailabilitySource } from "../../../adapters/memory/cart/memory-availability-source.ts";
import { MemoryPriceSource } from "../../../adapters/memory/cart/memory-price-source.ts";
import { createRpcAvailabilitySource } from "../../../adapters/rpc/cart/rpc-availability-source.ts";
import { createRpcPriceSource } from "../../../adapters/rpc/cart/rpc-price-source.ts";
import { DomainError } from "../../../core/kit/domain-error.ts";
import { CatalogService } from "../../../gen/shop/catalog/v1/catalog_pb.ts";
import { ProductStatus } from "../../../gen/shop/catalog/v1/products_pb.ts";
import { InventoryService } from "../../../gen/shop/inventory/v1/inventory_pb.ts";
import { availabilitySourceContract, priceSourceContract, shopper } from "./cart-sources.contract.ts";
import { startCartNeighbours } from "./support/cart-neighbours.ts";

priceSourceContract("memory", async () => {
  const source = new MemoryPriceSource();
  return {
    source,
    async product(tenant, skus) {
      const productId = `product-${Object.keys(skus)[0]}`;
      for (const [sku, minor] of Object.entries(skus)) {
        source.set(tenant, {
          sku,
          productId,
          productName: "P",
          imageUrl: "",
          unitPriceMinor: minor,
          currency: "EUR",
          taxClass: "standard",
          purchasable: true,
        });
      }
      return productId;
    },
    setDown: (down) => {
      source.down = down;
    },
    dispose: async () => {},
  };
});

priceSourceContract("Connect client to the real catalog handlers (in-process router)", async () => {
  const neighbours = await startCartNeighbours("sqlite");
  return {
    source: createRpcPriceSource(neighbours.transport, { timeoutMs: 1_000 }),
    product: (tenant, skus) => neighbours.product(tenant, skus),
    setDown: (down) => {
      neighbours.down.catalog = down;
    },
    dispose: neighbours.dispose,
  };
});

availabilitySourceContract("memory", async () => {
  const source = new MemoryAvailabilitySource();
  return {
    source,
    stock: async (tenant, sku, units) => source.set(tenant, sku, units),
    setDown: (down) => {
      source.down = down;
    },
    dispose: async () => {},
  };
});

availabilitySourceContract("Connect client to the real inventory handlers (in-process router, SQLite)", async () => {
  const neighbours = await startCartNeighbours("sqlite");
  return {
    source: createRpcAvailabilitySource(neighbours.transport, { timeoutMs: 1_000 }),
    stock: (tenant, sku, units) => neighbours.stock(tenant, sku, units),
    setDown: (down) => {
      neighbours.down.inventory = down;
    },
    dispose: neighbours.dispose,
  };
});

async function failure(work: Promise<unknown>): Promise<DomainError> {
  try {
    await work;
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error("expected a failure");
}

/** A catalog that never answers until the call is given up. */
const hanging = (signal: AbortSignal) =>
  new Promise<never>((_, reject) => signal.addEventListener("abort", () => reject(new ConnectError("gave up", Code.Canceled))));

describe("Connect price and availability sources, beyond the contract", () => {
  it("when catalog serves BatchGetVariants, then every SKU is priced from it, unknown SKUs absent, no product id needed", async () => {
    const asked: string[][] = [];
    const transport = createRouterTransport((r) =>
      r.service(CatalogService, {
        async batchGetVariants(request) {
          asked.push(request.skus);
          return {
            variants: request.skus
              .filter((sku) => sku !== "GONE")
              .map((sku) => ({
                sku,
                productId: `p-${sku}`,
                productName: `Name ${sku}`,
                productStatus: ProductStatus.ARCHIVED,
                purchasable: false,
                price: { amountMinor: 250n, currencyCode: "EUR" },
                taxClass: "reduced",
                imageUrl: "https://img/x.png",
              })),
            missingSkus: request.skus.filter((sku) => sku === "GONE"),
          };
        },
      }),
    );
    const skus = [...Array.from({ length: 250 }, (_, i) => `S-${i}`), "GONE"];
    const prices = await createRpcPriceSource(transport).prices(shopper("acme"), skus);
    expect(asked.map((a) => a.length)).toEqual([200, 51]);
    expect(prices.size).toBe(250);
    expect(prices.get("S-7")).toEqual({
      sku: "S-7",
      productId: "p-S-7",
      productName: "Name S-7",
      imageUrl: "https://img/x.png",
      unitPriceMinor: 250,
      currency: "EUR",
      taxClass: "reduced",
      purchasable: false,
    });
  });

  it("when catalog does not answer in time, then the call gives up at its deadline with UNAVAILABLE", async () => {
    const transport = createRouterTransport((r) =>
      r.service(CatalogService, { batchGetVariants: (_req, ctx) => hanging(ctx.signal) }),
    );
    const started = Date.now();
    const error = await failure(createRpcPriceSource(transport, { timeoutMs: 100 }).prices(shopper("acme"), ["X"]));
    expect([error.kind, error.code]).toEqual(["unavailable", "CART.CATALOG_UNAVAILABLE"]);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("when inventory does not answer in time, then the call gives up at its deadline with UNAVAILABLE", async () => {
    const transport = createRouterTransport((r) =>
      r.service(InventoryService, { batchGetAvailability: (_req, ctx) => hanging(ctx.signal) }),
    );
    const started = Date.now();
    const error = await failure(createRpcAvailabilitySource(transport, { timeoutMs: 100 }).available(shopper("acme"), ["X"]));
    expect([error.kind, error.code]).toEqual(["unavailable", "CART.INVENTORY_UNAVAILABLE"]);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("when catalog can only be asked by product, then a SKU the cart does not know yet is UNAVAILABLE, not unknown", async () => {
    const transport = createRouterTransport((r) => r.service(CatalogService, {}));
    const error = await failure(createRpcPriceSource(transport).prices(shopper("acme"), ["NEW"], new Map()));
    expect([error.kind, error.code]).toEqual(["unavailable", "CART.CATALOG_UNAVAILABLE"]);
  });

  it("when a product is not for sale (DRAFT), then catalog hides it and its SKUs are absent", async () => {
    const neighbours = await startCartNeighbours("sqlite");
    try {
      const productId = await neighbours.product("acme", { "DR-1": 100 }, ProductStatus.DRAFT);
      const source = createRpcPriceSource(neighbours.transport);
      expect((await source.prices(shopper("acme"), ["DR-1"], new Map([["DR-1", productId]]))).size).toBe(0);
    } finally {
      await neighbours.dispose();
    }
  });
});
