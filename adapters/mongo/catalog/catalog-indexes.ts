import type { IndexDescription } from "mongodb";
import { PROCESSED_EVENTS, processedEventsIndexes } from "../mongo-processed-events.ts";
import { CATEGORIES, categoryIndexes } from "./mongo-category-repository.ts";
import { PRODUCTS, productIndexes } from "./product-document.ts";
import { searchIndexIndexes } from "./mongo-search-index.ts";

/** Every index of the catalog database, ensured at start. */
export const catalogIndexes: Readonly<Record<string, readonly IndexDescription[]>> = {
  [PRODUCTS]: productIndexes,
  [CATEGORIES]: categoryIndexes,
  [PROCESSED_EVENTS]: processedEventsIndexes,
  ...searchIndexIndexes,
};

/** The collections whose documents carry an outbox (the relay drains them). */
export const catalogOutboxCollections = [PRODUCTS] as const;
