import type { CategorySnapshot } from "../../../core/catalog/category.ts";
import type { CategoryRepository } from "../../../core/catalog/category-repository.ts";
import { alreadyExists, conflict } from "../../../core/kit/domain-error.ts";
import type { TenantId } from "../../../core/kit/request-context.ts";

/** Categories in memory: unique slug among siblings and unique creation key, per tenant. */
export class MemoryCategoryRepository implements CategoryRepository {
  readonly #categories = new Map<string, CategorySnapshot>();

  async find(tenantId: TenantId, id: string) {
    return this.#categories.get(`${tenantId}/${id}`);
  }

  async findByCreationKey(tenantId: TenantId, key: string) {
    return (await this.list(tenantId)).find((c) => c.creationKey === key);
  }

  async add(category: CategorySnapshot) {
    const all = await this.list(category.tenantId);
    if (all.some((c) => c.creationKey === category.creationKey)) throw alreadyExists("CATALOG.CREATION_KEY_TAKEN", "key used");
    if (all.some((c) => c.parentId === category.parentId && c.slug === category.slug))
      throw alreadyExists("CATALOG.SLUG_TAKEN", `slug ${category.slug} is taken here`);
    this.#categories.set(`${category.tenantId}/${category.id}`, category);
  }

  async list(tenantId: TenantId) {
    return [...this.#categories.values()].filter((c) => c.tenantId === tenantId);
  }

  async update(category: CategorySnapshot, loadedVersion: number, descendants: readonly CategorySnapshot[]) {
    this.#checkVersion(category.tenantId, category.id, loadedVersion);
    const all = await this.list(category.tenantId);
    if (all.some((c) => c.id !== category.id && c.parentId === category.parentId && c.slug === category.slug))
      throw alreadyExists("CATALOG.SLUG_TAKEN", `slug ${category.slug} is taken here`);
    this.#categories.set(`${category.tenantId}/${category.id}`, category);
    for (const d of descendants) {
      const stored = this.#categories.get(`${d.tenantId}/${d.id}`);
      if (stored) this.#categories.set(`${d.tenantId}/${d.id}`, { ...stored, ancestorIds: d.ancestorIds });
    }
  }

  async remove(tenantId: TenantId, id: string, loadedVersion: number) {
    this.#checkVersion(tenantId, id, loadedVersion);
    this.#categories.delete(`${tenantId}/${id}`);
  }

  #checkVersion(tenantId: TenantId, id: string, loadedVersion: number): void {
    if (this.#categories.get(`${tenantId}/${id}`)?.version !== loadedVersion)
      throw conflict("CATALOG.VERSION_STALE", `category ${id} changed since it was read`);
  }
}
