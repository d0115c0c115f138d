import { requireRole } from "../kit/caller-guards.ts";
import { invalidField, isDomainError } from "../kit/domain-error.ts";
import { decodePageToken, encodePageToken } from "../kit/page-token.ts";
import type { RequestContext } from "../kit/request-context.ts";
import { Roles } from "../kit/roles.ts";
import type { CartDeps } from "./cart-deps.ts";
import { cartErrors } from "./cart-errors.ts";
import { cartCommand } from "./cart-idempotency.ts";
import { createPromotion, disablePromotion, type PromotionDefinition, type PromotionSnapshot } from "./promotion.ts";

type Deps = Pick<CartDeps, "promotions" | "clock" | "newId" | "currencyOf">;

/** The currency an amount of a request was given in (the definition holds only minor units), and its field. */
export interface AmountCurrency {
  readonly field: string;
  readonly currency: string;
}

/**
 * Creates a promotion (tenant admin). Its amounts (fixed amount off, minimum spend) must be in
 * the tenant's currency: INVALID_ARGUMENT naming the field otherwise. Idempotent on the key: a
 * replay answers the promotion it created (as it is now); the same key with another definition
 * is INVALID_ARGUMENT; a code in use is ALREADY_EXISTS.
 */
export async function createPromotionCode(
  deps: Deps,
  ctx: RequestContext,
  input: {
    readonly definition: PromotionDefinition;
    /** Every amount the request carried, with its currency. */
    readonly amountCurrencies: readonly AmountCurrency[];
    readonly idempotencyKey: string;
  },
): Promise<PromotionSnapshot> {
  requireRole(ctx, Roles.tenantAdmin);
  const currency = await deps.currencyOf(ctx.tenantId);
  const foreign = input.amountCurrencies.find((amount) => amount.currency !== currency);
  if (foreign) throw invalidField(foreign.field, `must be in ${currency}, the tenant's currency`);
  const identity = await cartCommand("create_promotion", input.idempotencyKey, [input.definition]);
  const replay = async () => {
    const prior = await deps.promotions.findByCreation(ctx.tenantId, identity.keyHash);
    if (prior && prior.fingerprint !== identity.fingerprint) throw cartErrors.idempotencyKeyReused();
    return prior?.promotion;
  };
  const prior = await replay();
  if (prior) return prior;
  const promotion = createPromotion(ctx.tenantId, deps.newId(), input.definition, deps.clock.now());
  try {
    await deps.promotions.add(promotion, { keyHash: identity.keyHash, fingerprint: identity.fingerprint });
  } catch (error) {
    if (isDomainError(error) && error.code === "CART.IDEMPOTENCY_KEY_TAKEN") {
      const winner = await replay();
      if (winner) return winner;
    }
    throw error;
  }
  return promotion;
}

/** Disables a promotion (tenant admin). Idempotent; NOT_FOUND for an unknown id. */
export async function disablePromotionCode(
  deps: Deps,
  ctx: RequestContext,
  input: { readonly promotionId: string },
): Promise<PromotionSnapshot> {
  requireRole(ctx, Roles.tenantAdmin);
  const found = await deps.promotions.findById(ctx.tenantId, input.promotionId);
  if (!found) throw cartErrors.promotionNotFound(input.promotionId);
  const disabled = disablePromotion(found, deps.clock.now());
  if (disabled !== found) await deps.promotions.update(disabled);
  return disabled;
}

/** The tenant's promotions, newest first (tenant admin); default page 50, at most 100. */
export async function listPromotionCodes(
  deps: Deps,
  ctx: RequestContext,
  input: { readonly includeInactive: boolean; readonly pageSize: number; readonly pageToken: string },
): Promise<{ promotions: readonly PromotionSnapshot[]; nextPageToken: string }> {
  requireRole(ctx, Roles.tenantAdmin);
  if (!Number.isInteger(input.pageSize) || input.pageSize < 0 || input.pageSize > 100) {
    throw invalidField("page.page_size", "0 to 100");
  }
  const limit = input.pageSize || 50;
  const after = decodeAfter(decodePageToken(input.pageToken));
  const rows = await deps.promotions.list(ctx.tenantId, {
    includeInactive: input.includeInactive,
    now: deps.clock.now(),
    after,
    limit: limit + 1,
  });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    promotions: page,
    nextPageToken: rows.length > limit && last ? encodePageToken(`${last.createdAt.toISOString()}|${last.id}`) : "",
  };
}

function decodeAfter(key: string | undefined): { createdAt: Date; id: string } | undefined {
  if (key === undefined) return undefined;
  const at = key.indexOf("|");
  const createdAt = new Date(key.slice(0, at));
  if (at < 0 || Number.isNaN(createdAt.getTime())) throw invalidField("page.page_token", "is not a token this service issued");
  return { createdAt, id: key.slice(at + 1) };
}

/** Whether a promotion shows in a list without include_inactive: active and not ended. */
export function isListedAsActive(promotion: PromotionSnapshot, now: Date): boolean {
  const end = promotion.definition.endsAt;
  return promotion.status === "active" && (end === undefined || end.getTime() >= now.getTime());
}
