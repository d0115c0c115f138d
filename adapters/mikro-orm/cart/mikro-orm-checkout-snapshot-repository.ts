import { UniqueConstraintViolationException } from "@mikro-orm/core";
import type { SqlEntityManager } from "@mikro-orm/sql";
import { alreadyExists } from "../../../core/kit/domain-error.ts";
import type { TenantId } from "../../../core/kit/request-context.ts";
import {
  type CheckoutSnapshot,
  type CheckoutSnapshotRepository,
  decodeCheckoutSnapshot,
  encodeCheckoutSnapshot,
} from "../../../core/cart/checkout-snapshot.ts";
import { CheckoutSnapshotRecord } from "./checkout-records.ts";

const READ = { disableIdentityMap: true } as const;

/** Checkout snapshots in MariaDB or SQLite: insert-only; a new version drops the cart's older ones in the same transaction. */
export class MikroOrmCheckoutSnapshotRepository implements CheckoutSnapshotRepository {
  readonly #em: SqlEntityManager;

  constructor(em: SqlEntityManager) {
    this.#em = em;
  }

  async put(snapshot: CheckoutSnapshot): Promise<void> {
    try {
      await this.#em.fork().transactional(async (tx) => {
        await tx.insert(CheckoutSnapshotRecord, {
          tenantId: snapshot.tenantId,
          cartId: snapshot.cartId,
          cartVersion: snapshot.cartVersion,
          userId: snapshot.userId,
          body: encodeCheckoutSnapshot(snapshot),
          createdAt: snapshot.createdAt,
          expiresAt: snapshot.expiresAt,
        });
        await tx.nativeDelete(CheckoutSnapshotRecord, {
          tenantId: snapshot.tenantId,
          cartId: snapshot.cartId,
          cartVersion: { $lt: snapshot.cartVersion },
        });
      });
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) {
        throw alreadyExists("CART.SNAPSHOT_TAKEN", `cart ${snapshot.cartId} has a snapshot at version ${snapshot.cartVersion}`);
      }
      throw error;
    }
  }

  async find(tenantId: TenantId, cartId: string, cartVersion: number): Promise<CheckoutSnapshot | undefined> {
    const row = await this.#em.fork().findOne(CheckoutSnapshotRecord, { tenantId, cartId, cartVersion }, READ);
    return row ? decodeCheckoutSnapshot(row.body) : undefined;
  }
}
