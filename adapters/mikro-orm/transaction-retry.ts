import { DeadlockException, IsolationLevel, LockWaitTimeoutException, UniqueConstraintViolationException } from "@mikro-orm/core";
import type { SqlEntityManager } from "@mikro-orm/sql";

export interface TransactionRetry {
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  /** First back-off; doubled per attempt, with full jitter. */
  readonly baseDelayMs: number;
}

export const DEFAULT_TRANSACTION_RETRY: TransactionRetry = { maxAttempts: 10, baseDelayMs: 2 };

/** A deadlock (MariaDB 1213) or a lock wait timeout (1205): the database rolled back, the work may run again. */
export function isLockConflict(error: unknown): boolean {
  return error instanceof DeadlockException || error instanceof LockWaitTimeoutException;
}

export interface RetryTransactionOptions {
  readonly retry?: TransactionRetry;
  /** Which failures run the work again; lock conflicts by default. */
  readonly retryable?: (error: unknown) => boolean;
  /** What the caller gets once the attempts are used up (never the database error itself). */
  readonly busy: (cause: unknown) => Error;
  /** Called before each further attempt (for counters). */
  readonly onRetry?: (error: unknown, attempt: number) => void;
}

/**
 * Runs `transaction` (one whole database transaction, begun and ended inside it) again when it
 * fails with a retryable error, up to `retry.maxAttempts` in all, waiting a jittered back-off
 * between attempts; then throws `busy(cause)`. Any other failure is thrown as it is. The work
 * must be safe to run again: it rebuilds every statement from state taken before the first attempt.
 */
export async function retryTransaction<T>(
  transaction: () => Promise<T>,
  { retry = DEFAULT_TRANSACTION_RETRY, retryable = isLockConflict, busy, onRetry }: RetryTransactionOptions,
): Promise<T> {
  let lockWaitTimeouts = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      return await transaction();
    } catch (error) {
      if (!retryable(error)) throw error;
      // A lock wait timeout already cost the server's whole wait (50 s by default): one more try, not ten.
      if (error instanceof LockWaitTimeoutException) lockWaitTimeouts++;
      if (attempt >= retry.maxAttempts || lockWaitTimeouts > 1) throw busy(error);
      onRetry?.(error, attempt);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * retry.baseDelayMs * 2 ** attempt));
    }
  }
}

/** A lock conflict, or a duplicate key (two first rows of one key): run again, the work finds the winner's row. */
export function isLockConflictOrDuplicate(error: unknown): boolean {
  return isLockConflict(error) || error instanceof UniqueConstraintViolationException;
}

/**
 * `work` in one read-committed transaction on a fork of `em`, run again on a lock conflict or a
 * duplicate key (see `retryTransaction`; `busy` once the attempts are used up).
 */
export function readCommittedTransaction<T>(
  em: SqlEntityManager,
  work: (em: SqlEntityManager) => Promise<T>,
  options: Omit<RetryTransactionOptions, "retryable">,
): Promise<T> {
  return retryTransaction(() => em.fork().transactional(work, { isolationLevel: IsolationLevel.READ_COMMITTED }), {
    ...options,
    retryable: isLockConflictOrDuplicate,
  });
}
