import { AsyncLocalStorage } from "node:async_hooks";

/** What every log line written while serving one call or one event carries. */
export interface LogFields {
  readonly tenant?: string;
  readonly correlationId?: string;
  readonly rpc?: string;
  readonly event?: string;
}

const storage = new AsyncLocalStorage<LogFields>();

export function withLogFields<T>(fields: LogFields, work: () => T): T {
  return storage.run({ ...storage.getStore(), ...fields }, work);
}

export function currentLogFields(): LogFields {
  return storage.getStore() ?? {};
}
