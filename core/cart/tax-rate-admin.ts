import { requireRole } from "../kit/caller-guards.ts";
import { invalidField, notFound } from "../kit/domain-error.ts";
import { decodePageToken, encodePageToken } from "../kit/page-token.ts";
import type { RequestContext } from "../kit/request-context.ts";
import { Roles } from "../kit/roles.ts";
import type { CartDeps } from "./cart-deps.ts";
import { type TaxRate, validTaxRate } from "./tax-rate.ts";
import type { TaxRateKey } from "./tax-rate-repository.ts";

type Deps = Pick<CartDeps, "taxRates">;

/** Creates or replaces a rate (tenant admin). Idempotent. */
export async function setTaxRate(deps: Deps, ctx: RequestContext, rate: TaxRate): Promise<TaxRate> {
  requireRole(ctx, Roles.tenantAdmin);
  const valid = validTaxRate(rate);
  await deps.taxRates.put(ctx.tenantId, valid);
  return valid;
}

/** Deletes a rate (tenant admin). NOT_FOUND when there is none (also on a replay). */
export async function deleteTaxRate(deps: Deps, ctx: RequestContext, key: TaxRateKey): Promise<void> {
  requireRole(ctx, Roles.tenantAdmin);
  const valid = validTaxRate({ ...key, ratePpm: 0 });
  const removed = await deps.taxRates.remove(ctx.tenantId, {
    countryCode: valid.countryCode,
    administrativeArea: valid.administrativeArea,
    taxClass: valid.taxClass,
  });
  if (!removed) {
    throw notFound("tax rate", `${valid.countryCode}/${valid.administrativeArea}/${valid.taxClass}`, "CART.TAX_RATE_NOT_FOUND");
  }
}

/** The tenant's rates by country, area, class (tenant admin); default page 100. */
export async function listTaxRates(
  deps: Deps,
  ctx: RequestContext,
  input: { readonly countryCode: string; readonly pageSize: number; readonly pageToken: string },
): Promise<{ taxRates: readonly TaxRate[]; nextPageToken: string }> {
  requireRole(ctx, Roles.tenantAdmin);
  if (!Number.isInteger(input.pageSize) || input.pageSize < 0 || input.pageSize > 100) {
    throw invalidField("page.page_size", "0 to 100");
  }
  if (input.countryCode !== "" && !/^[A-Z]{2}$/.test(input.countryCode)) {
    throw invalidField("country_code", "ISO 3166-1 alpha-2, upper-case");
  }
  const limit = input.pageSize || 100;
  const token = decodePageToken(input.pageToken);
  let after: TaxRateKey | undefined;
  if (token !== undefined) {
    const parts = token.split("\u0000");
    if (parts.length !== 3) throw invalidField("page.page_token", "is not a token this service issued");
    after = { countryCode: parts[0] ?? "", administrativeArea: parts[1] ?? "", taxClass: parts[2] ?? "" };
  }
  const rows = await deps.taxRates.list(ctx.tenantId, { countryCode: input.countryCode || undefined, after, limit: limit + 1 });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    taxRates: page,
    nextPageToken:
      rows.length > limit && last
        ? encodePageToken([last.countryCode, last.administrativeArea, last.taxClass].join("\u0000"))
        : "",
  };
}
