import type { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { cartEntities } from "../../../adapters/mikro-orm/cart/cart-record.ts";
import { MikroOrmCartRepository } from "../../../adapters/mikro-orm/cart/mikro-orm-cart-repository.ts";
import { cartKey, RedisCartRepository } from "../../../adapters/redis/redis-cart-repository.ts";
import type { Cart, CartLimits } from "../../../core/cart/cart.ts";
import type { CartRepository } from "../../../core/cart/cart-repository.ts";
import { fixedClock } from "../../../core/kit/clock.ts";
import type { TenantId } from "../../../core/kit/request-context.ts";
import { redisTestClients } from "../../support/redis-test-clients.ts";
import { openSqlTestDatabase, type SqlTestDatabase } from "../../support/sql-test-database.ts";
import { uniqueName } from "../../support/unique-name.ts";
import { aPrice, aUserCart, contractNow } from "./cart-repository.contract.ts";

const clients = redisTestClients();
afterAll(() => clients.closeAll());
const clock = fixedClock(contractNow);
const limits: CartLimits = { maxQuantityPerLine: 99, maxLines: 100, ttlMs: 86_400_000 };
const aTenant = () => uniqueName("stale").replaceAll("_", "-").toLowerCase() as TenantId;

/** Adds one unit of SKU-B: a new version of the cart. */
async function changeAndSave(repository: CartRepository, tenant: TenantId): Promise<Cart> {
  const cart = (await repository.find(tenant, "u-ada"))!;
  cart.addItem(aPrice("SKU-B", 500), 1, 100, "EUR", limits, contractNow);
  await repository.save(cart);
  return cart;
}

/** A Redis client whose writes (DEL, EVAL, SET) fail while `failing` is on: a write-through that fails after the commit. */
function flakyWrites(redis: Redis): { redis: Redis; failing: boolean } {
  const switchable = { failing: false, redis };
  switchable.redis = new Proxy(redis, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      if (switchable.failing && (property === "del" || property === "eval" || property === "set")) {
        return () => Promise.reject(new Error("Connection is closed."));
      }
      return value.bind(target);
    },
  });
  return switchable;
}

async function withDatabase(work: (db: SqlTestDatabase) => Promise<void>): Promise<void> {
  const db = await openSqlTestDatabase("mariadb", "carts_stale", cartEntities);
  try {
    await work(db);
  } finally {
    await db.dispose();
  }
}

describe("Redis cart store: a read never answers a cart older than the database's", () => {
  it("when a read re-warms from the database while a save commits a newer version, then the older copy does not stay", async () => {
    await withDatabase(async (db) => {
      const redis = await clients.ready();
      const tenant = aTenant();
      const database = new MikroOrmCartRepository(db.em);
      // The reader's database read is held until the writer has saved.
      let hold: Promise<void> | undefined;
      const gated: CartRepository = {
        find: async (tenantId, cartId) => {
          const found = await database.find(tenantId, cartId);
          await hold;
          return found;
        },
        save: (cart, options) => database.save(cart, options),
        findAnswer: (...args) => database.findAnswer(...args),
      };
      const repository = new RedisCartRepository(redis, gated, { clock });
      await repository.save(aUserCart(tenant, "ada"));
      await redis.del(cartKey(tenant, "u-ada"));

      let release = () => {};
      hold = new Promise((resolve) => {
        release = resolve;
      });
      const reading = repository.find(tenant, "u-ada");
      await new Promise((resolve) => setTimeout(resolve, 50));
      hold = undefined;
      const saved = await changeAndSave(new RedisCartRepository(redis, database, { clock }), tenant);
      release();
      expect((await reading)?.version).toBe(1);

      expect((await repository.find(tenant, "u-ada"))?.snapshot()).toEqual(saved.snapshot());
    });
  });

  it("when the drop and the refresh of a save both fail after the commit, then the next read is the database's", async () => {
    await withDatabase(async (db) => {
      const flaky = flakyWrites(await clients.ready());
      const tenant = aTenant();
      const repository = new RedisCartRepository(flaky.redis, new MikroOrmCartRepository(db.em), { clock });
      await repository.save(aUserCart(tenant, "ada"));
      expect((await repository.find(tenant, "u-ada"))?.version).toBe(1);

      flaky.failing = true;
      const saved = await changeAndSave(repository, tenant);
      flaky.failing = false;

      expect((await repository.find(tenant, "u-ada"))?.snapshot()).toEqual(saved.snapshot());
      // The old copy was replaced, so another process reading Redis gets the new one too.
      const other = new RedisCartRepository(await clients.ready(), new MikroOrmCartRepository(db.em), { clock });
      expect((await other.find(tenant, "u-ada"))?.version).toBe(saved.version);
    });
  });

  it("when Redis comes back restored from an older snapshot (a new server process), then the cart is read from the database", async () => {
    await withDatabase(async (db) => {
      const redis = await clients.ready();
      let runId = "server1";
      const repository = new RedisCartRepository(redis, new MikroOrmCartRepository(db.em), {
        clock,
        identifyServer: async () => runId,
      });
      const tenant = aTenant();
      const key = cartKey(tenant, "u-ada");
      await repository.save(aUserCart(tenant, "ada"));
      const backup = (await redis.dumpBuffer(key))!;
      const saved = await changeAndSave(repository, tenant);

      // The restored server holds the older copy; it is another server process (a new run_id).
      await redis.restore(key, 60_000, backup, "REPLACE");
      runId = "server2";
      const reconnected = new Promise((resolve) => redis.once("ready", resolve));
      redis.disconnect(true);
      await reconnected;

      expect((await repository.find(tenant, "u-ada"))?.snapshot()).toEqual(saved.snapshot());
      // Read once from the database, the copy is stamped for this server and served from Redis again.
      expect(await redis.get(key)).toMatch(new RegExp(`^${saved.version}\\|server2\\|`));
    });
  });
});
