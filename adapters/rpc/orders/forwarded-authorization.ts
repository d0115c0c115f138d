import { AsyncLocalStorage } from "node:async_hooks";

const storage = new AsyncLocalStorage<string>();

/**
 * The caller's `authorization` header, kept for the duration of one call so that an outgoing
 * call made on the caller's behalf (orders -> cart.GetCheckoutSnapshot) can forward it. The core
 * never sees it; never log it.
 */
export function withForwardedAuthorization<T>(authorization: string | null, work: () => T): T {
  return authorization ? storage.run(authorization, work) : work();
}

export function forwardedAuthorization(): string | undefined {
  return storage.getStore();
}
