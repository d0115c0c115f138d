import type { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { MemoryCartRepository } from "../../../adapters/memory/cart/memory-cart-repository.ts";
import { cartEntities } from "../../../adapters/mikro-orm/cart/cart-record.ts";
import { MikroOrmCartRepository } from "../../../adapters/mikro-orm/cart/mikro-orm-cart-repository.ts";
import { cartKey, RedisCartRepository } from "../../../adapters/redis/redis-cart-repository.ts";
import { createRedisClient, whenReady } from "../../../adapters/redis/redis-client.ts";
import { fixedClock } from "../../../core/kit/clock.ts";
import type { TenantId } from "../../../core/kit/request-context.ts";
import { openSqlTestDatabase, type SqlEngine } from "../../support/sql-test-database.ts";
import { requiredEnv } from "../../support/required-env.ts";
import { UNREACHABLE_REDIS_URL } from "../../support/redis-test-clients.ts";
import { uniqueName } from "../../support/unique-name.ts";
import { aPrice, aUserCart, cartRepositoryContract, contractNow } from "./cart-repository.contract.ts";

cartRepositoryContract("memory", async () => ({ repository: new MemoryCartRepository(), dispose: async () => {} }));

for (const engine of ["sqlite", "mariadb"] satisfies SqlEngine[]) {
  cartRepositoryContract(`MikroORM on ${engine}`, async () => {
    const db = await openSqlTestDatabase(engine, "carts", cartEntities);
    return { repository: new MikroOrmCartRepository(db.em), dispose: db.dispose };
  });
}

const clients: Redis[] = [];
const quiet = () => {};
function redisAt(url: string): Redis {
  const redis = createRedisClient(url, { onError: quiet });
  clients.push(redis);
  return redis;
}
async function readyRedis(): Promise<Redis> {
  const redis = redisAt(requiredEnv("SHOPMESH_REDIS_URL"));
  if (!(await whenReady(redis, 5_000))) throw new Error("Redis did not answer within 5 s");
  return redis;
}
afterAll(() => {
  for (const client of clients) client.disconnect();
});
const clock = fixedClock(contractNow);

/** Each Redis suite runs in a tenant of its own (keys start with the tenant), so runs never collide. */
cartRepositoryContract("Redis in front of MikroORM on MariaDB", async () => {
  const db = await openSqlTestDatabase("mariadb", "carts_redis", cartEntities);
  const redis = await readyRedis();
  await redis.del(...["acme", "globex"].flatMap((t) => ["u-ada", "u-bob", "g-1", "g-2"].map((id) => cartKey(t as TenantId, id))));
  return { repository: new RedisCartRepository(redis, new MikroOrmCartRepository(db.em), { clock }), dispose: db.dispose };
});

cartRepositoryContract("Redis unreachable, in front of MikroORM on SQLite", async () => {
  const db = await openSqlTestDatabase("sqlite", "carts_down", cartEntities);
  const redis = redisAt(UNREACHABLE_REDIS_URL);
  return { repository: new RedisCartRepository(redis, new MikroOrmCartRepository(db.em), { clock }), dispose: db.dispose };
});

describe("Redis cart store, beyond the contract", () => {
  it("when Redis is flushed, then the cart is read from MariaDB with the same contents and Redis is re-warmed", async () => {
    const db = await openSqlTestDatabase("mariadb", "carts_flush", cartEntities);
    try {
      // A Redis database of its own (index 9), so the flush touches no other suite's keys.
      const url = new URL(requiredEnv("SHOPMESH_REDIS_URL"));
      url.pathname = "/9";
      const redis = redisAt(url.toString());
      if (!(await whenReady(redis, 5_000))) throw new Error("Redis did not answer within 5 s");
      const tenant = uniqueName("flush").replaceAll("_", "-").toLowerCase() as TenantId;
      const repository = new RedisCartRepository(redis, new MikroOrmCartRepository(db.em), { clock });
      const cart = aUserCart(tenant, "ada");
      cart.addItem(
        aPrice("SKU-B", 500),
        3,
        100,
        "EUR",
        { maxQuantityPerLine: 99, maxLines: 100, ttlMs: 86_400_000 },
        contractNow,
      );
      await repository.save(cart);
      const key = cartKey(tenant, "u-ada");
      expect(await redis.exists(key)).toBe(1);
      // The cart lives a day; its copy at most the copy TTL (15 minutes by default).
      const ttl = await redis.pttl(key);
      expect(ttl).toBeGreaterThan(15 * 60_000 - 60_000);
      expect(ttl).toBeLessThanOrEqual(15 * 60_000);
      await redis.flushdb();
      expect(await redis.exists(key)).toBe(0);
      expect((await repository.find(tenant, "u-ada"))?.snapshot()).toEqual(cart.snapshot());
      expect(await redis.exists(key)).toBe(1);
    } finally {
      await db.dispose();
    }
  });

  // The store refuses the save and drops its copy; the use case then redoes the change on the
  // database's cart (tests/unit/cart/checkout.test.ts, tests/component/cart/cart-checkout.test.ts).
  it("when Redis holds a cart the database lost, then the save conflicts, the copy is dropped and the next read is the database's", async () => {
    const first = await openSqlTestDatabase("mariadb", "carts_lost", cartEntities);
    const fresh = await openSqlTestDatabase("mariadb", "carts_lost", cartEntities);
    try {
      const redis = await readyRedis();
      const tenant = uniqueName("lost").replaceAll("_", "-").toLowerCase() as TenantId;
      await new RedisCartRepository(redis, new MikroOrmCartRepository(first.em), { clock }).save(aUserCart(tenant, "ada"));
      // The database is replaced (restored from an older backup, say); Redis still has the cart.
      const repository = new RedisCartRepository(redis, new MikroOrmCartRepository(fresh.em), { clock });
      const cached = (await repository.find(tenant, "u-ada"))!;
      cached.addItem(
        aPrice("SKU-B", 500),
        1,
        100,
        "EUR",
        { maxQuantityPerLine: 99, maxLines: 100, ttlMs: 86_400_000 },
        contractNow,
      );
      const refused = await repository.save(cached).then(
        () => undefined,
        (e: unknown) => e as { kind?: string },
      );
      expect(refused?.kind).toBe("conflict");
      expect(await repository.find(tenant, "u-ada")).toBeUndefined();
    } finally {
      await first.dispose();
      await fresh.dispose();
    }
  });
});
