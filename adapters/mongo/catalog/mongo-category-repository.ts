import type { Collection, Db, IndexDescription } from "mongodb";
import type { CategorySnapshot } from "../../../core/catalog/category.ts";
import type { CategoryRepository } from "../../../core/catalog/category-repository.ts";
import { alreadyExists, conflict } from "../../../core/kit/domain-error.ts";
import type { TenantId } from "../../../core/kit/request-context.ts";
import { isDuplicateKey } from "../mongo-database.ts";

export const CATEGORIES = "categories";

interface CategoryDocument extends Omit<CategorySnapshot, "tenantId" | "id"> {
  _id: string;
  tenant_id: string;
  category_id: string;
}

export const categoryIndexes: readonly IndexDescription[] = [
  { key: { tenant_id: 1, parentId: 1, slug: 1 }, name: "tenant_parent_slug", unique: true },
  { key: { tenant_id: 1, creationKey: 1 }, name: "tenant_creation_key", unique: true },
];

/** Categories, one document each (`_id` = `<tenant>/<id>`); slug unique among siblings by index. */
export class MongoCategoryRepository implements CategoryRepository {
  readonly #categories: Collection<CategoryDocument>;

  constructor(db: Db) {
    this.#categories = db.collection<CategoryDocument>(CATEGORIES);
  }

  async find(tenantId: TenantId, id: string) {
    const doc = await this.#categories.findOne({ _id: `${tenantId}/${id}`, tenant_id: tenantId });
    return doc ? fromDocument(doc) : undefined;
  }

  async findByCreationKey(tenantId: TenantId, key: string) {
    const doc = await this.#categories.findOne({ tenant_id: tenantId, creationKey: key });
    return doc ? fromDocument(doc) : undefined;
  }

  async add(category: CategorySnapshot) {
    const { tenantId, id, ...rest } = category;
    try {
      await this.#categories.insertOne({ _id: `${tenantId}/${id}`, tenant_id: tenantId, category_id: id, ...rest });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      if (await this.findByCreationKey(tenantId, category.creationKey))
        throw alreadyExists("CATALOG.CREATION_KEY_TAKEN", "key used");
      throw alreadyExists("CATALOG.SLUG_TAKEN", `slug ${category.slug} is taken here`);
    }
  }

  async list(tenantId: TenantId) {
    return (await this.#categories.find({ tenant_id: tenantId }).limit(5_000).toArray()).map(fromDocument);
  }

  /** Compare-and-set on `version` (one document write); then each descendant's ancestors (no transactions on FerretDB). */
  async update(category: CategorySnapshot, loadedVersion: number, descendants: readonly CategorySnapshot[]) {
    const { tenantId, id, creationKey: _key, createdAt: _created, ...changed } = category;
    let matched: number;
    try {
      ({ matchedCount: matched } = await this.#categories.updateOne(
        { _id: `${tenantId}/${id}`, tenant_id: tenantId, version: loadedVersion },
        { $set: changed },
      ));
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      throw alreadyExists("CATALOG.SLUG_TAKEN", `slug ${category.slug} is taken here`);
    }
    if (matched === 0) throw stale(id);
    for (const d of descendants)
      await this.#categories.updateOne(
        { _id: `${tenantId}/${d.id}`, tenant_id: tenantId },
        { $set: { ancestorIds: [...d.ancestorIds] } },
      );
  }

  async remove(tenantId: TenantId, id: string, loadedVersion: number) {
    const { deletedCount } = await this.#categories.deleteOne({
      _id: `${tenantId}/${id}`,
      tenant_id: tenantId,
      version: loadedVersion,
    });
    if (deletedCount === 0) throw stale(id);
  }
}

const stale = (id: string) => conflict("CATALOG.VERSION_STALE", `category ${id} changed since it was read`);

function fromDocument(doc: CategoryDocument): CategorySnapshot {
  const { _id, tenant_id, category_id, ...rest } = doc;
  return { ...rest, tenantId: tenant_id as TenantId, id: category_id };
}
