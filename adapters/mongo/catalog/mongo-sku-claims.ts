import type { Db } from "mongodb";
import { alreadyExists } from "../../../core/kit/domain-error.ts";
import type { TenantId } from "../../../core/kit/request-context.ts";
import { isDuplicateKey } from "../mongo-database.ts";
import { documentLocks } from "../mongo-insert-lock.ts";
import { SKU_CLAIMS } from "./product-document.ts";

/**
 * SKUs unique per tenant. FerretDB does not enforce unique indexes over array elements, so
 * each SKU is a claim document `_id = <tenant>/<sku>` naming its product: inserting it is the
 * atomic "take". Claims are taken before the product write and released after it (or after a
 * failed write); a crash between the two leaves a claim owned by a product that may not exist,
 * which `claim` re-checks against the products collection.
 */
export function skuClaims(db: Db, ownerExists: (tenantId: TenantId, productId: string) => Promise<boolean>) {
  const claims = db.collection<{ _id: string; tenant_id: string; product_id: string }>(SKU_CLAIMS);
  const id = (tenantId: TenantId, sku: string) => `${tenantId}/${sku}`;
  const locks = documentLocks(db);
  return {
    /** Takes every SKU for the product; ALREADY_EXISTS (nothing kept) when another product holds one. Returns the newly taken ones. */
    async claim(tenantId: TenantId, productId: string, skus: readonly string[]): Promise<string[]> {
      const taken: string[] = [];
      for (const sku of skus) {
        try {
          await claims.insertOne({ _id: id(tenantId, sku), tenant_id: tenantId, product_id: productId });
          taken.push(sku);
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
          const holder = await claims.findOne({ _id: id(tenantId, sku), tenant_id: tenantId });
          if (!holder || holder.product_id === productId) continue;
          if (!(await ownerExists(tenantId, holder.product_id))) {
            // Under the claim's document lock: FerretDB 1.24's conditional update is no compare-and-set.
            const moved = await locks.withDocument(SKU_CLAIMS, holder._id, () =>
              claims.updateOne({ _id: holder._id, product_id: holder.product_id }, { $set: { product_id: productId } }),
            );
            if (moved.modifiedCount === 1) continue;
          }
          await this.release(tenantId, productId, taken);
          throw alreadyExists("CATALOG.SKU_TAKEN", `SKU ${sku} belongs to another product`);
        }
      }
      return taken;
    },
    /** The distinct products claiming any of these SKUs. */
    async owners(tenantId: TenantId, skus: readonly string[]): Promise<string[]> {
      const found = await claims
        .find({ _id: { $in: skus.map((sku) => id(tenantId, sku)) }, tenant_id: tenantId }, { projection: { product_id: 1 } })
        .toArray();
      return [...new Set(found.map((claim) => claim.product_id))];
    },
    async release(tenantId: TenantId, productId: string, skus: readonly string[]): Promise<void> {
      if (skus.length === 0) return;
      await claims.deleteMany({ _id: { $in: skus.map((sku) => id(tenantId, sku)) }, tenant_id: tenantId, product_id: productId });
    },
  };
}
