import type { Clock } from "../kit/clock.ts";
import type { IdGenerator } from "../kit/ids.ts";
import type { TenantId } from "../kit/request-context.ts";
import type { CategoryRepository } from "./category-repository.ts";
import type { ProductCache } from "./product-cache.ts";
import type { ProductRepository } from "./product-repository.ts";
import type { SearchIndex } from "./search-index.ts";

/** What the catalog's use cases need; main.ts (or a test) builds it. */
export interface CatalogDeps {
  readonly products: ProductRepository;
  readonly categories: CategoryRepository;
  readonly cache: ProductCache;
  /** The inverted index SearchProducts reads (fed by the product events). */
  readonly searchIndex: SearchIndex;
  readonly clock: Clock;
  readonly newId: IdGenerator;
  /**
   * The tenant's currency: every price it writes must be in it. Wired from the tenant directory
   * (TenantCreated's `currency_code`), with a configured fallback for tenants it does not know.
   */
  readonly currencyOf: (tenantId: TenantId) => Promise<string>;
}

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export function pageSizeOf(requested: number | undefined): number {
  return Math.min(requested || DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
}
