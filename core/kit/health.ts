/** What a service reports as its readiness: each adapter that talks to a server can be pinged. */
export interface HealthProbe {
  readonly name: string;
  ping(signal: AbortSignal): Promise<void>;
}

/** Settles with `work`, or rejects as soon as `signal` aborts (a ping must not hang the health check). */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
