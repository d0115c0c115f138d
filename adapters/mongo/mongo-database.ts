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
  } catch (error) {
    await client.close();
    throw error;
  }
  return { client, db, close: () => client.close() };
}

/** MongoDB's duplicate key error (a unique index refused a write). */
export function isDuplicateKey(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === 11000;
}
