import { MemoryPromotionRepository } from "../../../adapters/memory/cart/memory-promotion-repository.ts";
import { MemoryTaxRateRepository } from "../../../adapters/memory/cart/memory-tax-rate-repository.ts";
import { cartEntities } from "../../../adapters/mikro-orm/cart/cart-record.ts";
import { MikroOrmPromotionRepository } from "../../../adapters/mikro-orm/cart/mikro-orm-promotion-repository.ts";
import { MikroOrmTaxRateRepository } from "../../../adapters/mikro-orm/cart/mikro-orm-tax-rate-repository.ts";
import { openSqlTestDatabase, type SqlEngine } from "../../support/sql-test-database.ts";
import { pricingStoresContract } from "./cart-pricing-stores.contract.ts";

pricingStoresContract("memory", async () => ({
  promotions: new MemoryPromotionRepository(),
  taxRates: new MemoryTaxRateRepository(),
  dispose: async () => {},
}));

for (const engine of ["sqlite", "mariadb"] satisfies SqlEngine[]) {
  pricingStoresContract(`MikroORM on ${engine}`, async () => {
    const db = await openSqlTestDatabase(engine, "cart_pricing", cartEntities);
    return {
      promotions: new MikroOrmPromotionRepository(db.em),
      taxRates: new MikroOrmTaxRateRepository(db.em),
      dispose: db.dispose,
    };
  });
}
