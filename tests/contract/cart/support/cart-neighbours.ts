import { Code, ConnectError, createClient, createRouterTransport, type Transport } from "@connectrpc/connect";
import { parseTenantId } from "../../../../core/kit/request-context.ts";
import { createMemoryEventBus } from "../../../../adapters/memory/memory-event-bus.ts";
import { createLogger } from "../../../../adapters/observability/logger.ts";
import { CatalogService } from "../../../../gen/shop/catalog/v1/catalog_pb.ts";
import { ProductStatus } from "../../../../gen/shop/catalog/v1/products_pb.ts";
import { AdjustmentReason, InventoryService } from "../../../../gen/shop/inventory/v1/inventory_pb.ts";
import { embeddedCatalogModule } from "../../../../services/catalog/embedded-catalog.ts";
import { inventoryEntities, inventoryModule } from "../../../../services/inventory/inventory-module.ts";
import type { ContextModule } from "../../../../services/runtime/context-module.ts";
import { tenantCurrency } from "../../../../services/runtime/tenant-currency.ts";
import type { TenantDirectory } from "../../../../core/kit/tenant-directory.ts";
import { openSqlTestDatabase, type SqlEngine } from "../../../support/sql-test-database.ts";
import { type TestIdentity, testIdentity } from "../../../component/users/support/identity.ts";

/**
 * The cart's neighbours as they really are: catalog (its embedded module, in-memory documents)
 * and inventory (its module on SQLite or MariaDB), their real handlers behind an in-process
 * Connect router, with real JWTs (tenants acme and globex). `down` makes either unreachable.
 * Prices are in each tenant's currency as `tenants` knows it (EUR otherwise), as catalog requires.
 */
export interface CartNeighbours {
  readonly identity: TestIdentity;
  /** Routes to catalog and inventory; honours `down`. */
  readonly transport: Transport;
  readonly down: { catalog: boolean; inventory: boolean };
  /** An ACTIVE (or the given status) product with one variant per SKU; returns its product id. */
  product(tenant: string, skus: Readonly<Record<string, number>>, status?: ProductStatus): Promise<string>;
  /** Changes a SKU's price: in the stand-in's table, or (real catalog) by UpdateProduct as the tenant admin. */
  price(tenant: string, sku: string, minor: number): Promise<void>;
  /** Sets on-hand units of a SKU at location "main". */
  stock(tenant: string, sku: string, units: number): Promise<void>;
  dispose(): Promise<void>;
}

let run = 0;

export async function startCartNeighbours(
  engine: SqlEngine = "sqlite",
  identity?: TestIdentity,
  tenants?: Pick<TenantDirectory, "currencyOf">,
): Promise<CartNeighbours> {
  const who = identity ?? (await testIdentity());
  const currencyOf = tenantCurrency(tenants, "EUR");
  const logger = createLogger("cart-neighbours", "silent");
  const bus = createMemoryEventBus();
  const db = await openSqlTestDatabase(engine, "cart_inventory", inventoryEntities);
  const clock = { now: () => new Date() };
  const modules: ContextModule[] = [
    embeddedCatalogModule({
      publisher: bus.publisher,
      consumer: bus.consumer,
      clock,
      logger,
      resolveIdentity: who.resolveIdentity,
      tenants,
    }),
    inventoryModule({
      db: { ...db, close: async () => {} },
      publisher: bus.publisher,
      consumer: bus.consumer,
      clock,
      logger,
      resolveIdentity: who.resolveIdentity,
    }),
  ];
  const variants = new Map<string, { productId: string; name: string; minor: number; status: ProductStatus }>();
  const router = createRouterTransport((r) => {
    for (const module of modules) for (const { service, impl } of module.handlers) r.service(service, impl);
  });
  const down = { catalog: false, inventory: false };
  const refuse = (service: string) => {
    if ((service === CatalogService.typeName && down.catalog) || (service === InventoryService.typeName && down.inventory))
      throw new ConnectError(`${service} is down`, Code.Unavailable);
  };
  const transport: Transport = {
    unary: (method, ...rest) => {
      refuse(method.parent.typeName);
      return router.unary(method, ...rest);
    },
    stream: (method, ...rest) => {
      refuse(method.parent.typeName);
      return router.stream(method, ...rest);
    },
  };
  const catalog = createClient(CatalogService, router);
  const inventory = createClient(InventoryService, router);
  const categories = new Map<string, string>();
  const admin = async (tenant: string) => ({ headers: { authorization: await who.bearer(tenant, "admin-1", ["tenant_admin"]) } });
  return {
    identity: who,
    transport,
    down,
    async product(tenant, skus, status = ProductStatus.ACTIVE) {
      run += 1;
      let categoryId = categories.get(tenant);
      if (!categoryId) {
        const { category } = await catalog.createCategory(
          { name: "Things", slug: `things-${run}`, idempotencyKey: `category-${tenant}-${run}` },
          await admin(tenant),
        );
        categoryId = category?.categoryId as string;
        categories.set(tenant, categoryId);
      }
      const currencyCode = await currencyOf(parseTenantId(tenant));
      const { product } = await catalog.createProduct(
        {
          product: {
            name: `Product ${Object.keys(skus)[0]}`,
            categoryId,
            taxClass: "standard",
            status,
            variants: Object.entries(skus).map(([sku, minor]) => ({
              sku,
              price: { amountMinor: BigInt(minor), currencyCode },
            })),
          },
          idempotencyKey: `product-${tenant}-${run}`,
        },
        await admin(tenant),
      );
      const productId = product?.productId as string;
      for (const [sku, minor] of Object.entries(skus))
        variants.set(`${tenant}/${sku}`, { productId, name: product?.name ?? "", minor, status });
      return productId;
    },
    async price(tenant, sku, minor) {
      const known = variants.get(`${tenant}/${sku}`);
      if (!known) throw new Error(`no variant ${sku} in ${tenant}`);
      variants.set(`${tenant}/${sku}`, { ...known, minor });
      const { product } = await catalog.getProduct({ productId: known.productId }, await admin(tenant));
      if (!product) throw new Error(`no product ${known.productId} in ${tenant}`);
      const currencyCode = await currencyOf(parseTenantId(tenant));
      await catalog.updateProduct(
        {
          productId: product.productId,
          expectedVersion: product.version,
          product: {
            name: product.name,
            categoryId: product.categoryId,
            taxClass: product.taxClass,
            status: product.status,
            variants: product.variants.map((v) => ({
              sku: v.sku,
              attributes: v.attributes,
              price: v.sku === sku ? { amountMinor: BigInt(minor), currencyCode } : v.price,
            })),
          },
        },
        await admin(tenant),
      );
    },
    async stock(tenant, sku, units) {
      await inventory.setStock(
        { sku, locationId: "main", onHandQuantity: units, reason: AdjustmentReason.RECEIVED },
        await admin(tenant),
      );
    },
    dispose: () => db.dispose(),
  };
}
