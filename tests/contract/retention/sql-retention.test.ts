import type { EntityName } from "@mikro-orm/core";
import type { SqlEntityManager } from "@mikro-orm/sql";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type RetentionTarget, retentionPolicy, sweepExpired } from "../../../core/kit/retention.ts";
import { RefreshTokenRecord } from "../../../adapters/mikro-orm/auth/refresh-token-record.ts";
import { SessionRecord } from "../../../adapters/mikro-orm/auth/session-record.ts";
import { CartAnswerRow, CartRecord, cartEntities } from "../../../adapters/mikro-orm/cart/cart-record.ts";
import { CartRedemptionHoldRecord, CheckoutSnapshotRecord } from "../../../adapters/mikro-orm/cart/checkout-records.ts";
import { OutboxEvent } from "../../../adapters/mikro-orm/outbox-event-entity.ts";
import { ProcessedEvent } from "../../../adapters/mikro-orm/processed-event-entity.ts";
import { sqlExpiredRecords } from "../../../adapters/mikro-orm/retention-deletes.ts";
import { UserIdempotencyRecord } from "../../../adapters/mikro-orm/users/user-idempotency-record.ts";
import { UserTokenRecord } from "../../../adapters/mikro-orm/users/user-token-record.ts";
import { authRetentionTargets } from "../../../services/auth/auth-retention.ts";
import { cartRetentionTargets } from "../../../services/cart/cart-retention.ts";
import { DEFAULT_RETENTION_SETTINGS, type RetentionSettings } from "../../../services/runtime/retention-config.ts";
import { messagingRetentionTargets } from "../../../services/runtime/retention-targets.ts";
import { usersEntities } from "../../../services/users/users-entities.ts";
import { usersRetentionTargets } from "../../../services/users/users-retention.ts";
import { openSqlTestDatabase, type SqlEngine, type SqlTestDatabase } from "../../support/sql-test-database.ts";

const HOUR = 60 * 60_000;
const DAY = 24 * HOUR;
const now = new Date("2026-12-08T12:00:00.000Z");
/** Small batches, so every kind takes several. */
const settings: RetentionSettings = { ...DEFAULT_RETENTION_SETTINGS, batchSize: 2 };
const at = (ms: number) => new Date(now.getTime() + ms);
/** Stamps around a cutoff `keepMs` before now: two past it (gone), one on it and one after (kept). */
const around = (keepMs: number) => ({
  longGone: at(-keepMs - 30 * DAY),
  justGone: at(-keepMs - 1),
  onCutoff: at(-keepMs),
  kept: at(-keepMs + 1),
});

const entities = [SessionRecord, RefreshTokenRecord, ...usersEntities, ...cartEntities];

// biome-ignore lint/suspicious/noExplicitAny: any swept table.
async function keysOf(em: SqlEntityManager, entity: EntityName<any>, key: string): Promise<string[]> {
  const rows = (await em.fork().find(entity, {}, { disableIdentityMap: true })) as Record<string, unknown>[];
  return rows.map((row) => String(row[key])).sort();
}

const sweep = (targets: readonly RetentionTarget[]) => sweepExpired(targets, { now, batchSize: settings.batchSize });

for (const engine of ["sqlite", "mariadb"] satisfies SqlEngine[]) {
  describe(`retention on ${engine}`, () => {
    let db: SqlTestDatabase;
    beforeEach(async () => {
      db = await openSqlTestDatabase(engine, "retention", entities);
    });
    afterEach(async () => {
      await db.dispose();
    });

    it("auth: sessions a day past their expiry go with their refresh-token digests; live, revoked-but-unexpired and just-expired ones stay", async () => {
      const stamps = around(settings.expiredGraceMs);
      const sessions = {
        "s-long-gone": stamps.longGone,
        "s-just-gone": stamps.justGone,
        "s-on-cutoff": stamps.onCutoff,
        "s-expired-an-hour-ago": at(-HOUR),
        "s-revoked-live": at(DAY),
        "s-live": at(14 * DAY),
      };
      const em = db.em.fork();
      for (const [id, expiresAt] of Object.entries(sessions)) {
        await em.insert(SessionRecord, {
          id,
          tenantId: "acme",
          userId: "u-1",
          currentTokenDigest: `${id}-t2`,
          createdAt: at(-40 * DAY),
          lastRefreshedAt: at(-40 * DAY),
          absoluteExpiresAt: expiresAt,
          expiresAt,
          userAgent: "test",
          ipAddressMasked: "",
          revokedAt: id === "s-revoked-live" ? at(-HOUR) : null,
          revokedReason: id === "s-revoked-live" ? "logout" : null,
          version: 2,
        });
        for (const t of ["t1", "t2"]) {
          await em.insert(RefreshTokenRecord, { digest: `${id}-${t}`, tenantId: "acme", sessionId: id, issuedAt: at(-40 * DAY) });
        }
      }
      const deleted = await sweep(authRetentionTargets(db.em, settings));
      expect(deleted.auth_sessions).toBe(2);
      const left = ["s-expired-an-hour-ago", "s-live", "s-on-cutoff", "s-revoked-live"];
      expect(await keysOf(db.em, SessionRecord, "id")).toEqual(left);
      expect(await keysOf(db.em, RefreshTokenRecord, "digest")).toEqual(left.flatMap((id) => [`${id}-t1`, `${id}-t2`]));
    });

    it("users: tokens a day past expiry (spent or not) and answers older than the idempotency window go; the rest stay", async () => {
      const expiry = around(settings.expiredGraceMs);
      const written = around(settings.idempotencyWindowMs);
      const em = db.em.fork();
      for (const [hash, expiresAt] of Object.entries(expiry)) {
        for (const spent of [false, true]) {
          await em.insert(UserTokenRecord, {
            tenantId: "acme",
            tokenHash: `${hash}-${spent ? "spent" : "unspent"}`,
            userId: "u-1",
            purpose: "password_reset",
            createdAt: at(-40 * DAY),
            expiresAt,
            spentAt: spent ? at(-40 * DAY) : null,
          });
        }
      }
      for (const [key, createdAt] of Object.entries(written)) {
        await em.insert(UserIdempotencyRecord, {
          tenantId: "acme",
          scope: "register",
          keyHash: key,
          fingerprint: "f",
          response: "{}",
          createdAt,
        });
      }
      const deleted = await sweep(usersRetentionTargets(db.em, settings));
      expect(deleted).toMatchObject({ user_tokens: 4, user_idempotency_keys: 2 });
      expect(await keysOf(db.em, UserTokenRecord, "tokenHash")).toEqual([
        "kept-spent",
        "kept-unspent",
        "onCutoff-spent",
        "onCutoff-unspent",
      ]);
      expect(await keysOf(db.em, UserIdempotencyRecord, "keyHash")).toEqual(["kept", "onCutoff"]);
    });

    it("cart: holds, snapshots and carts a day past expiry and answers past the window go; live ones stay", async () => {
      const expiry = around(settings.expiredGraceMs);
      const written = around(settings.idempotencyWindowMs);
      const em = db.em.fork();
      for (const [name, expiresAt] of Object.entries(expiry)) {
        const cartId = `u-${name}`;
        await em.insert(CartRecord, {
          tenantId: "acme",
          id: cartId,
          userId: name,
          lines: "[]",
          promotionCodes: "[]",
          createdAt: at(-60 * DAY),
          updatedAt: at(-60 * DAY),
          expiresAt,
          version: 3,
        });
        await em.insert(CheckoutSnapshotRecord, {
          tenantId: "acme",
          cartId,
          cartVersion: 3,
          userId: name,
          body: "{}",
          createdAt: at(-60 * DAY),
          expiresAt,
        });
        for (const code of ["SAVE10", "WELCOME"]) {
          await em.insert(CartRedemptionHoldRecord, { tenantId: "acme", cartId, code, cartVersion: 3, userId: name, expiresAt });
        }
      }
      for (const [key, createdAt] of Object.entries(written)) {
        await em.insert(CartAnswerRow, {
          tenantId: "acme",
          scope: "add_item:u-1",
          keyHash: key,
          fingerprint: "f",
          response: "{}",
          createdAt,
        });
      }
      const deleted = await sweep(cartRetentionTargets(db.em, settings));
      expect(deleted).toMatchObject({ cart_redemption_holds: 4, cart_checkout_snapshots: 2, carts: 2, cart_idempotency_keys: 2 });
      const liveCarts = ["u-kept", "u-onCutoff"];
      expect(await keysOf(db.em, CartRecord, "id")).toEqual(liveCarts);
      expect(await keysOf(db.em, CheckoutSnapshotRecord, "cartId")).toEqual(liveCarts);
      expect(await keysOf(db.em, CartRedemptionHoldRecord, "cartId")).toEqual(liveCarts.flatMap((id) => [id, id]));
      expect(await keysOf(db.em, CartAnswerRow, "keyHash")).toEqual(["kept", "onCutoff"]);
    });

    it("messaging: dedupe marks older than their horizon and outbox rows published before theirs go; unpublished rows stay however old", async () => {
      const marks = around(settings.processedEventsMs);
      const published = around(settings.publishedOutboxMs);
      const em = db.em.fork();
      for (const [id, processedAt] of Object.entries(marks)) {
        for (const consumer of ["cart", "cart-audit"]) await em.insert(ProcessedEvent, { consumer, eventId: id, processedAt });
      }
      const outbox = (eventId: string, publishedAt: Date | null) =>
        em.insert(OutboxEvent, {
          eventId,
          topic: "order-events",
          eventKey: "acme/o-1",
          eventType: "shop.events.v1.OrderCreated",
          schemaVersion: 1,
          tenantId: "acme",
          correlationId: "c",
          occurredAt: at(-60 * DAY),
          payload: Buffer.from([1]),
          publishedAt,
        });
      for (const [id, publishedAt] of Object.entries(published)) await outbox(id, publishedAt);
      await outbox("unpublished", null);
      const deleted = await sweep(messagingRetentionTargets(db.em, settings));
      expect(deleted).toEqual({ processed_events: 4, "outbox_events.published": 2 });
      expect(await keysOf(db.em, ProcessedEvent, "eventId")).toEqual(["kept", "kept", "onCutoff", "onCutoff"]);
      expect(await keysOf(db.em, OutboxEvent, "eventId")).toEqual(["kept", "onCutoff", "unpublished"]);
    });

    it("when a picked row moves past the cutoff before the delete (a hold taken again), then the delete leaves it", async () => {
      const em = db.em.fork();
      for (const cartId of ["g-1", "g-2"]) {
        await em.insert(CartRedemptionHoldRecord, {
          tenantId: "acme",
          cartId,
          code: "SAVE10",
          cartVersion: 1,
          userId: "u",
          expiresAt: at(-3 * DAY),
        });
      }
      const records = sqlExpiredRecords(db.em, {
        entity: CartRedemptionHoldRecord,
        stamp: "expiresAt",
        // Runs between the pick and the delete: g-2 is held again meanwhile.
        dependents: async (tx) => {
          await tx.nativeUpdate(CartRedemptionHoldRecord, { cartId: "g-2" }, { expiresAt: at(HOUR), cartVersion: 2 });
        },
      });
      const batch = await records.deleteBefore(at(-DAY), 10);
      expect(batch).toEqual({ found: 2, deleted: 1 });
      expect(await keysOf(db.em, CartRedemptionHoldRecord, "cartId")).toEqual(["g-2"]);
    });

    if (engine === "mariadb") {
      it("when two sweepers run at once, then each expired row is deleted once and live rows stay", async () => {
        const em = db.em.fork();
        for (let i = 0; i < 40; i++) {
          await em.insert(ProcessedEvent, {
            consumer: "orders",
            eventId: `e-${String(i).padStart(2, "0")}`,
            processedAt: i < 30 ? at(-20 * DAY - i) : at(-DAY),
          });
        }
        const targets = [
          {
            policy: retentionPolicy("processed_events", "written", 14 * DAY),
            records: sqlExpiredRecords(db.em, { entity: ProcessedEvent, stamp: "processedAt" }),
          },
        ];
        const [a, b] = await Promise.all([
          sweepExpired(targets, { now, batchSize: 4 }),
          sweepExpired(targets, { now, batchSize: 4 }),
        ]);
        expect((a.processed_events ?? 0) + (b.processed_events ?? 0)).toBe(30);
        expect(await db.em.fork().count(ProcessedEvent, {})).toBe(10);
      });

      it("every table's pick reads an index on its stamp, in stamp order (no full scan, no filesort)", async () => {
        const swept: [string, string][] = [
          ["auth_sessions", "expires_at"],
          ["user_tokens", "expires_at"],
          ["user_idempotency_keys", "created_at"],
          ["carts", "expires_at"],
          ["cart_idempotency_keys", "created_at"],
          ["cart_checkout_snapshots", "expires_at"],
          ["cart_redemption_holds", "expires_at"],
          ["processed_events", "processed_at"],
          ["outbox_events", "published_at"],
        ];
        const connection = db.em.getConnection();
        for (const [table, column] of swept) {
          const plan = (await connection.execute(
            `explain select * from \`${table}\` where \`${column}\` < ? order by \`${column}\` asc limit 500`,
            [now],
          )) as { key: string | null; Extra: string | null }[];
          const [row] = plan;
          expect(row?.key, `${table}: ${JSON.stringify(plan)}`).toBeTruthy();
          const index = (await connection.execute(`show index from \`${table}\` where Key_name = ? and Seq_in_index = 1`, [
            row?.key,
          ])) as { Column_name: string }[];
          expect(index[0]?.Column_name, table).toBe(column);
          expect(row?.Extra ?? "", table).not.toMatch(/filesort/i);
        }
      });
    }
  });
}
