import type { IndexDescription } from "mongodb";
import { PROCESSED_EVENTS, processedEventsIndexes } from "../mongo-processed-events.ts";
import { CATEGORIES, categoryIndexes } from "./mongo-category-repository.ts";
import { PRODUCTS, productIndexes, retiredProductIndexes } from "./product-document.ts";
import { searchIndexIndexes } from "./mongo-search-index.ts";

/** Every index of the catalog database, ensured at start. */
export const catalogIndexes: Readonly<Record<string, readonly IndexDescription[]>> = {
  [PRODUCTS]: productIndexes,
  [CATEGORIES]: categoryIndexes,
  [PROCESSED_EVENTS]: processedEventsIndexes,
  ...searchIndexIndexes,
};

/** Indexes earlier versions created that nothing reads any more, dropped at start. */
export const catalogRetiredIndexes: Readonly<Record<string, readonly string[]>> = {
  [PRODUCTS]: retiredProductIndexes,
};

/** The collections whose documents carry an outbox (the relay drains them). */
export const catalogOutboxCollections = [PRODUCTS] as const;
