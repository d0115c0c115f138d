import type { SqlEntityManager } from "@mikro-orm/sql";
import type { TenantId } from "../../../core/kit/request-context.ts";
import type { ReservationSnapshot } from "../../../core/inventory/inventory-store.ts";
import type { StockLevel } from "../../../core/inventory/stock-level.ts";
import type { ItemOutcome } from "./micro-batcher.ts";

export interface SnapshotRequest {
  readonly tenantId: TenantId;
  readonly skus: readonly string[];
}

interface SnapshotRow {
  tenant_id: string;
  sku: string;
  location_id: string;
  on_hand: number | string;
  reserved: number | string;
  version: number | string;
  updated_at: Date | string | number;
  restock_threshold: number | string | null;
}

/**
 * The snapshots of several reservations (any tenants) in one unlocked query: the stock rows of
 * all their SKUs joined with the thresholds; each request gets the rows of its own SKUs.
 */
export async function readSnapshots(
  em: SqlEntityManager,
  requests: readonly SnapshotRequest[],
): Promise<ItemOutcome<ReservationSnapshot>[]> {
  const skusByTenant = new Map<string, Set<string>>();
  for (const { tenantId, skus } of requests) {
    const set = skusByTenant.get(tenantId) ?? new Set<string>();
    for (const sku of skus) set.add(sku);
    skusByTenant.set(tenantId, set);
  }
  const groups = [...skusByTenant].filter(([, skus]) => skus.size > 0);
  const rows =
    groups.length === 0
      ? []
      : await em.getConnection().execute<SnapshotRow[]>(
          `select s.tenant_id, s.sku, s.location_id, s.on_hand, s.reserved, s.version, s.updated_at, t.restock_threshold
             from inventory_stock s
             left join inventory_thresholds t on t.tenant_id = s.tenant_id and t.sku = s.sku
            where ${groups.map(([, skus]) => `(s.tenant_id = ? and s.sku in (${[...skus].map(() => "?").join(", ")}))`).join(" or ")}`,
          groups.flatMap(([tenantId, skus]) => [tenantId, ...skus]),
          "all",
        );
  const byTenantSku = new Map<string, SnapshotRow[]>();
  for (const row of rows) {
    const key = `${row.tenant_id}\u0000${row.sku}`;
    const list = byTenantSku.get(key);
    if (list) list.push(row);
    else byTenantSku.set(key, [row]);
  }
  return requests.map(({ tenantId, skus }) => {
    const thresholds = new Map<string, number>();
    const levels: StockLevel[] = [];
    for (const sku of new Set(skus)) {
      for (const row of byTenantSku.get(`${tenantId}\u0000${sku}`) ?? []) {
        if (row.restock_threshold !== null) thresholds.set(row.sku, Number(row.restock_threshold));
        levels.push({
          sku: row.sku,
          locationId: row.location_id,
          onHand: Number(row.on_hand),
          reserved: Number(row.reserved),
          version: Number(row.version),
          updatedAt: new Date(row.updated_at),
        });
      }
    }
    levels.sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : a.locationId < b.locationId ? -1 : 1));
    return { ok: true, value: { levels, thresholds } };
  });
}
