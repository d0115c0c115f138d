import { type Db, type IndexDescription, MongoClient } from "mongodb";

export interface MongoDatabase {
  readonly client: MongoClient;
  /** The context's own database, e.g. `shopmesh_catalog`. */
  readonly db: Db;
  close(): Promise<void>;
}

export interface MongoDatabaseOptions {
  readonly url: string;
  /** One database per context. */
  readonly database: string;
  /** Indexes per collection, created at start (idempotent). */
  readonly indexes?: Readonly<Record<string, readonly IndexDescription[]>>;
  /** Index names per collection that earlier versions created and nothing reads any more: dropped at start when present. */
  readonly retiredIndexes?: Readonly<Record<string, readonly string[]>>;
}

/**
 * Opens a client on `url` and the context's database, and ensures its indexes. Works on MongoDB
 * and on FerretDB: nothing here needs transactions, TTL, partial or text indexes.
 */
export async function openMongoDatabase(options: MongoDatabaseOptions): Promise<MongoDatabase> {
  const client = new MongoClient(options.url, { serverSelectionTimeoutMS: 5_000, maxPoolSize: 50 });
  await client.connect();
  const db = client.db(options.database);
  try {
    for (const [collection, indexes] of Object.entries(options.indexes ?? {})) {
      if (indexes.length > 0) await db.collection(collection).createIndexes([...indexes]);
    }
    for (const [collection, names] of Object.entries(options.retiredIndexes ?? {})) {
      await dropIndexesPresent(db, collection, names);
    }
  } catch (error) {
    await client.close();
    throw error;
  }
  return { client, db, close: () => client.close() };
}

async function dropIndexesPresent(db: Db, collection: string, names: readonly string[]): Promise<void> {
  const present = await db
    .collection(collection)
    .listIndexes()
    .toArray()
    .catch((error: unknown) => {
      if (isNamespaceNotFound(error)) return [];
      throw error;
    });
  for (const index of present) {
    if (names.includes(index.name as string)) await db.collection(collection).dropIndex(index.name as string);
  }
}

/** The collection does not exist (yet). */
const isNamespaceNotFound = (error: unknown) =>
  typeof error === "object" && error !== null && (error as { code?: unknown }).code === 26;

/** MongoDB's duplicate key error (a unique index refused a write). */
export function isDuplicateKey(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === 11000;
}
