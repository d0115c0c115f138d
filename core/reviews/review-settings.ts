import { invalidField } from "../kit/domain-error.ts";
import type { TenantId } from "../kit/request-context.ts";

/** A tenant's moderation settings. */
export interface ReviewSettings {
  /** New and edited reviews are APPROVED at once instead of PENDING. */
  readonly autoApprove: boolean;
  /** Flags that send an APPROVED review back to PENDING; 0 disables. */
  readonly flagThreshold: number;
}

export const DEFAULT_REVIEW_SETTINGS: ReviewSettings = { autoApprove: false, flagThreshold: 3 };

export const FLAG_THRESHOLD_MAX = 1_000;

export function parseFlagThreshold(value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > FLAG_THRESHOLD_MAX)
    throw invalidField("flag_threshold", `must be 0 to ${FLAG_THRESHOLD_MAX}`);
  return value;
}

/** Where a tenant's settings live; a tenant that never set any has the defaults. */
export interface ReviewSettingsRepository {
  get(tenantId: TenantId): Promise<ReviewSettings>;
  put(tenantId: TenantId, settings: ReviewSettings): Promise<void>;
}
