import type { ContextModule } from "./context-module.ts";

/** Something a process closes on the way out, after the server drained (a client, a connection). */
export function closingModule(name: string, stop: () => unknown): ContextModule {
  return { name, handlers: [], probes: [], stop: async () => void (await stop()) };
}
