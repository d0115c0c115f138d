import type { SqlEntityManager } from "@mikro-orm/sql";
import { MikroOrmCartRepository } from "../../adapters/mikro-orm/cart/mikro-orm-cart-repository.ts";
import { MikroOrmCheckoutSnapshotRepository } from "../../adapters/mikro-orm/cart/mikro-orm-checkout-snapshot-repository.ts";
import { MikroOrmRedemptionLedger } from "../../adapters/mikro-orm/cart/mikro-orm-redemption-ledger.ts";
import { MikroOrmPromotionRepository } from "../../adapters/mikro-orm/cart/mikro-orm-promotion-repository.ts";
import { MikroOrmTaxRateRepository } from "../../adapters/mikro-orm/cart/mikro-orm-tax-rate-repository.ts";
import type { RetentionSettings } from "../runtime/retention-config.ts";
import { cartRetentionTargets } from "./cart-retention.ts";

/**
 * The cart context's stores on one MikroORM database (MariaDB in its own process, SQLite
 * embedded): carts, promotions, tax rates, checkout snapshots, redemptions, and what the
 * retention sweeper deletes there.
 */
export function cartSqlStores(em: SqlEntityManager) {
  return {
    carts: new MikroOrmCartRepository(em),
    promotions: new MikroOrmPromotionRepository(em),
    taxRates: new MikroOrmTaxRateRepository(em),
    snapshots: new MikroOrmCheckoutSnapshotRepository(em),
    redemptions: new MikroOrmRedemptionLedger(em),
    retentionTargets: (settings: RetentionSettings) => cartRetentionTargets(em, settings),
  };
}
