/** One item's outcome in a batch: its value, or the error that fails it alone. */
export type ItemOutcome<O> = { readonly ok: true; readonly value: O } | { readonly ok: false; readonly error: unknown };

export interface MicroBatcherOptions<I> {
  /** Most items' weight in one batch (a single heavier item still runs, alone). */
  readonly maxWeight: number;
  /** Batches running at once; items handed in meanwhile wait and go together in the next one. */
  readonly maxInFlight: number;
  /** An item's weight (1 by default). */
  readonly weigh?: (item: I) => number;
}

interface Waiting<I, O> {
  readonly item: I;
  readonly resolve: (value: O) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit: items handed in during the same turn of the event loop, or while `maxInFlight`
 * batches are already running, are run together by `run`, in arrival order, up to `maxWeight`.
 * `run` answers one outcome per item, in order; when it throws, every item of the batch fails
 * with that error.
 */
export class MicroBatcher<I, O> {
  readonly #run: (items: readonly I[]) => Promise<readonly ItemOutcome<O>[]>;
  readonly #options: MicroBatcherOptions<I>;
  #queue: Waiting<I, O>[] = [];
  #inFlight = 0;
  #scheduled = false;

  constructor(run: (items: readonly I[]) => Promise<readonly ItemOutcome<O>[]>, options: MicroBatcherOptions<I>) {
    this.#run = run;
    this.#options = options;
  }

  add(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled || this.#inFlight >= this.#options.maxInFlight || this.#queue.length === 0) return;
    this.#scheduled = true;
    // Not at once: callers resumed in this same turn (one database answer wakes many) join the batch.
    setImmediate(() => {
      this.#scheduled = false;
      while (this.#inFlight < this.#options.maxInFlight && this.#queue.length > 0) this.#start(this.#take());
    });
  }

  #take(): Waiting<I, O>[] {
    const weigh = this.#options.weigh ?? (() => 1);
    let weight = 0;
    let count = 0;
    while (count < this.#queue.length) {
      const next = weigh((this.#queue[count] as Waiting<I, O>).item);
      if (count > 0 && weight + next > this.#options.maxWeight) break;
      weight += next;
      count++;
    }
    return this.#queue.splice(0, count);
  }

  #start(batch: Waiting<I, O>[]): void {
    this.#inFlight++;
    let outcomes: Promise<readonly ItemOutcome<O>[]>;
    try {
      outcomes = this.#run(batch.map((entry) => entry.item));
    } catch (error) {
      outcomes = Promise.reject(error);
    }
    outcomes
      .then(
        (results) => {
          batch.forEach((entry, i) => {
            const result = results[i];
            if (!result) entry.reject(new Error("the batch gave no outcome for this item"));
            else if (result.ok) entry.resolve(result.value);
            else entry.reject(result.error);
          });
        },
        (error: unknown) => {
          for (const entry of batch) entry.reject(error);
        },
      )
      .finally(() => {
        this.#inFlight--;
        this.#schedule();
      });
  }
}
