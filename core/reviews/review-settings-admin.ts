import { requireRole } from "../kit/caller-guards.ts";
import type { RequestContext } from "../kit/request-context.ts";
import { Roles } from "../kit/roles.ts";
import { parseFlagThreshold, type ReviewSettings } from "./review-settings.ts";
import type { ReviewsDeps } from "./reviews-deps.ts";

export async function getReviewSettings(deps: Pick<ReviewsDeps, "settings">, ctx: RequestContext): Promise<ReviewSettings> {
  requireRole(ctx, Roles.tenantAdmin);
  return deps.settings.get(ctx.tenantId);
}

/** Changes the settings that are given; idempotent. Takes effect for the next submission, edit or flag. */
export async function updateReviewSettings(
  deps: Pick<ReviewsDeps, "settings">,
  ctx: RequestContext,
  patch: { readonly autoApprove?: boolean | undefined; readonly flagThreshold?: number | undefined },
): Promise<ReviewSettings> {
  requireRole(ctx, Roles.tenantAdmin);
  const current = await deps.settings.get(ctx.tenantId);
  const next: ReviewSettings = {
    autoApprove: patch.autoApprove ?? current.autoApprove,
    flagThreshold: patch.flagThreshold === undefined ? current.flagThreshold : parseFlagThreshold(patch.flagThreshold),
  };
  await deps.settings.put(ctx.tenantId, next);
  return next;
}
