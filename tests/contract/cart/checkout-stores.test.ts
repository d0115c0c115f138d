import { MemoryCheckoutSnapshotRepository } from "../../../adapters/memory/cart/memory-checkout-snapshot-repository.ts";
import { MemoryPromotionRepository } from "../../../adapters/memory/cart/memory-promotion-repository.ts";
import { MemoryRedemptionLedger } from "../../../adapters/memory/cart/memory-redemption-ledger.ts";
import { cartEntities } from "../../../adapters/mikro-orm/cart/cart-record.ts";
import { cartSqlStores } from "../../../services/cart/cart-sql-stores.ts";
import { openSqlTestDatabase, type SqlEngine } from "../../support/sql-test-database.ts";
import { checkoutStoresContract } from "./checkout-stores.contract.ts";

checkoutStoresContract("memory", async () => {
  const promotions = new MemoryPromotionRepository();
  return {
    promotions,
    snapshots: new MemoryCheckoutSnapshotRepository(),
    redemptions: new MemoryRedemptionLedger(promotions),
    dispose: async () => {},
  };
});

for (const engine of ["sqlite", "mariadb"] satisfies SqlEngine[]) {
  checkoutStoresContract(`MikroORM on ${engine}`, async () => {
    const db = await openSqlTestDatabase(engine, "cart_checkout", cartEntities);
    const stores = cartSqlStores(db.em);
    return { ...stores, dispose: db.dispose };
  });
}
