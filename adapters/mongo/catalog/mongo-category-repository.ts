import type { Collection, Db, IndexDescription } from "mongodb";
import type { CategorySnapshot } from "../../../core/catalog/category.ts";
import type { CategoryRepository } from "../../../core/catalog/category-repository.ts";
import { alreadyExists, conflict } from "../../../core/kit/domain-error.ts";
import type { TenantId } from "../../../core/kit/request-context.ts";
import { isDuplicateKey } from "../mongo-database.ts";
import { type DocumentLocks, documentLocks } from "../mongo-insert-lock.ts";

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
  readonly #locks: DocumentLocks;

  constructor(db: Db) {
    this.#categories = db.collection<CategoryDocument>(CATEGORIES);
    this.#locks = documentLocks(db);
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

  /**
   * Compare-and-set on `version` (one document write); then each descendant's ancestors (no
   * transactions on FerretDB). Each write under its document lock: FerretDB 1.24's
   * `updateOne({version})` alone is no compare-and-set, and a write-back erases a concurrent one.
   */
  async update(category: CategorySnapshot, loadedVersion: number, descendants: readonly CategorySnapshot[]) {
    const { tenantId, id, creationKey: _key, createdAt: _created, ...changed } = category;
    const _id = `${tenantId}/${id}`;
    let matched: number;
    try {
      ({ matchedCount: matched } = await this.#locks.withDocument(CATEGORIES, _id, () =>
        this.#categories.updateOne({ _id, tenant_id: tenantId, version: loadedVersion }, { $set: changed }),
      ));
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      throw alreadyExists("CATALOG.SLUG_TAKEN", `slug ${category.slug} is taken here`);
    }
    if (matched === 0) throw stale(id);
    for (const d of descendants) {
      const descendantId = `${tenantId}/${d.id}`;
      await this.#locks.withDocument(CATEGORIES, descendantId, () =>
        this.#categories.updateOne({ _id: descendantId, tenant_id: tenantId }, { $set: { ancestorIds: [...d.ancestorIds] } }),
      );
    }
  }

  /** Locked too: the version filter makes this delete a read-check-write, not a delete by `_id` alone. */
  async remove(tenantId: TenantId, id: string, loadedVersion: number) {
    const _id = `${tenantId}/${id}`;
    const { deletedCount } = await this.#locks.withDocument(CATEGORIES, _id, () =>
      this.#categories.deleteOne({ _id, tenant_id: tenantId, version: loadedVersion }),
    );
    if (deletedCount === 0) throw stale(id);
  }
}

const stale = (id: string) => conflict("CATALOG.VERSION_STALE", `category ${id} changed since it was read`);

function fromDocument(doc: CategoryDocument): CategorySnapshot {
  const { _id, tenant_id, category_id, ...rest } = doc;
  return { ...rest, tenantId: tenant_id as TenantId, id: category_id };
}
