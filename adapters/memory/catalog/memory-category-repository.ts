import type { CategorySnapshot } from "../../../core/catalog/category.ts";
import type { CategoryRepository } from "../../../core/catalog/category-repository.ts";
import { alreadyExists } from "../../../core/kit/domain-error.ts";
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
}
