import type { Collection, Db } from "mongodb";
import type { TenantId } from "../../../core/kit/request-context.ts";
import {
  DEFAULT_REVIEW_SETTINGS,
  type ReviewSettings,
  type ReviewSettingsRepository,
} from "../../../core/reviews/review-settings.ts";
import { SETTINGS } from "./review-collections.ts";

interface SettingsDocument {
  _id: string;
  tenant_id: string;
  auto_approve: boolean;
  flag_threshold: number;
}

/** One document per tenant; a tenant without one has the defaults. */
export class MongoReviewSettingsRepository implements ReviewSettingsRepository {
  readonly #settings: Collection<SettingsDocument>;

  constructor(db: Db) {
    this.#settings = db.collection<SettingsDocument>(SETTINGS);
  }

  async get(tenantId: TenantId): Promise<ReviewSettings> {
    const doc = await this.#settings.findOne({ _id: tenantId, tenant_id: tenantId });
    return doc ? { autoApprove: doc.auto_approve, flagThreshold: doc.flag_threshold } : DEFAULT_REVIEW_SETTINGS;
  }

  async put(tenantId: TenantId, settings: ReviewSettings): Promise<void> {
    await this.#settings.updateOne(
      { _id: tenantId, tenant_id: tenantId },
      { $set: { auto_approve: settings.autoApprove, flag_threshold: settings.flagThreshold } },
      { upsert: true },
    );
  }
}
