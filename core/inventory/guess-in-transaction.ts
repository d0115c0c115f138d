import type { RequestContext } from "../kit/request-context.ts";
import type { GuessedReservation, InventoryStore } from "./inventory-store.ts";

/** Thrown inside the transaction to roll it back and hand over to the locked path. */
const GIVE_WAY = Symbol("give way to the locked path");

/**
 * `InventoryStore.reserveOnGuess` through the store's generic transaction, for stores with no
 * faster way (memory, SQLite): the order's reservation is looked up first (a replay gives way),
 * then the reservation, the conditional updates, the ledger and the events. A retry the store
 * wanted (a deadlock, a duplicate order) gives way too: the locked path decides.
 */
export async function reserveOnGuessInTransaction(
  store: Pick<InventoryStore, "transaction">,
  ctx: RequestContext,
  guess: GuessedReservation,
): Promise<boolean> {
  const { reservation } = guess;
  let attempts = 0;
  try {
    await store.transaction(ctx, async (tx) => {
      if (++attempts > 1) throw GIVE_WAY;
      if (await tx.lockReservation(reservation.orderId)) throw GIVE_WAY;
      await tx.addReservation(reservation);
      const after = await tx.reserveIfAvailable(reservation.lines, reservation.createdAt);
      if (!after) throw GIVE_WAY;
      const { movements, events } = guess.complete(after);
      await tx.recordMovements(movements);
      await tx.publish(events);
    });
    return true;
  } catch (error) {
    if (error === GIVE_WAY) return false;
    throw error;
  }
}
