import type { EntityManager, EventManager, EventSubscriber, TransactionEventArgs } from "@mikro-orm/core";

/**
 * Tells the relay of this process that a transaction which appended to the outbox committed,
 * through MikroORM's transaction events (`afterTransactionCommit` of the outermost transaction),
 * so it publishes at once instead of at its next poll. A transaction that rolls back signals
 * nothing. Rows appended in a nested transaction (a savepoint) count for the outermost one,
 * unless their savepoint is rolled back (MikroORM's MySQL driver sends no commit event for a
 * released savepoint, so the outermost commit is the only one relied on).
 */

/** Outermost transaction context (MikroORM's) -> the contexts (itself or its savepoints) that appended rows. */
const appendsByTransaction = new WeakMap<object, Set<object>>();
/** A savepoint's context -> the context it was opened in. */
const enclosing = new WeakMap<object, object>();

const outermost = (ctx: object): object => {
  let current = ctx;
  for (let parent = enclosing.get(current); parent; parent = enclosing.get(current)) current = parent;
  return current;
};

/** Whether `ctx` is `ancestor` or opened (directly or not) inside it. */
const within = (ctx: object, ancestor: object): boolean => {
  for (let current: object | undefined = ctx; current; current = enclosing.get(current)) if (current === ancestor) return true;
  return false;
};

/** Called by `appendToOutbox` with the entity manager of the transaction it wrote through. */
export function noteOutboxAppend(em: EntityManager): void {
  const ctx: object | undefined = em.getTransactionContext();
  if (!ctx) return;
  const root = outermost(ctx);
  const appends = appendsByTransaction.get(root) ?? new Set<object>();
  appends.add(ctx);
  appendsByTransaction.set(root, appends);
}

class OutboxCommitSubscriber implements EventSubscriber {
  readonly listeners = new Set<() => void>();
  /** The context a savepoint is being opened in, between its two start events (same em). */
  readonly #opening = new WeakMap<EntityManager, object>();

  beforeTransactionStart({ em, transaction }: TransactionEventArgs): void {
    if (transaction) this.#opening.set(em, transaction);
  }

  afterTransactionStart({ em, transaction }: TransactionEventArgs): void {
    const parent = this.#opening.get(em);
    if (!parent) return;
    this.#opening.delete(em);
    if (transaction) enclosing.set(transaction, parent);
  }

  afterTransactionCommit({ transaction }: TransactionEventArgs): void {
    if (!transaction || enclosing.has(transaction)) return; // a released savepoint: wait for the outermost commit
    const appends = appendsByTransaction.get(transaction);
    appendsByTransaction.delete(transaction);
    if (!appends || appends.size === 0) return;
    for (const listener of this.listeners) listener();
  }

  afterTransactionRollback({ transaction }: TransactionEventArgs): void {
    if (!transaction) return;
    if (!enclosing.has(transaction)) {
      appendsByTransaction.delete(transaction);
      return;
    }
    // Rolled back to a savepoint: what it (and savepoints inside it) appended is gone.
    const appends = appendsByTransaction.get(outermost(transaction));
    for (const ctx of appends ?? []) if (within(ctx, transaction)) appends?.delete(ctx);
  }
}

const subscribers = new WeakMap<EventManager, OutboxCommitSubscriber>();

/**
 * Calls `listener` (synchronously, inside MikroORM's commit; keep it cheap) after each commit,
 * through `em` or its forks, of a transaction that appended to the outbox. Returns the
 * unsubscribe. Forks that share `em`'s event manager (the default of `em.fork()`) are covered,
 * and so are transactions they open after the call (MikroORM clones the event manager then).
 */
export function onOutboxCommit(em: EntityManager, listener: () => void): () => void {
  const events = em.getEventManager();
  let subscriber = subscribers.get(events);
  if (!subscriber) {
    subscriber = new OutboxCommitSubscriber();
    events.registerSubscriber(subscriber);
    subscribers.set(events, subscriber);
  }
  const registered = subscriber;
  registered.listeners.add(listener);
  return () => {
    registered.listeners.delete(listener);
  };
}

/**
 * For a writer that commits outbox rows outside MikroORM's transactions (raw SQL that runs its
 * own START TRANSACTION ... COMMIT through `em`'s connection): call it after that commit, so the
 * relay listening on `em` publishes at once, as `appendToOutbox` in `em.transactional` does.
 */
export function signalOutboxCommit(em: EntityManager): void {
  for (const listener of subscribers.get(em.getEventManager())?.listeners ?? []) listener();
}
