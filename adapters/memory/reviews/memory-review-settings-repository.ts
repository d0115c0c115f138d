import type { TenantId } from "../../../core/kit/request-context.ts";
import {
  DEFAULT_REVIEW_SETTINGS,
  type ReviewSettings,
  type ReviewSettingsRepository,
} from "../../../core/reviews/review-settings.ts";

export class MemoryReviewSettingsRepository implements ReviewSettingsRepository {
  readonly #rows = new Map<TenantId, ReviewSettings>();

  async get(tenantId: TenantId): Promise<ReviewSettings> {
    return this.#rows.get(tenantId) ?? DEFAULT_REVIEW_SETTINGS;
  }

  async put(tenantId: TenantId, settings: ReviewSettings): Promise<void> {
    this.#rows.set(tenantId, settings);
  }
}
