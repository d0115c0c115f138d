import type { HealthProbe } from "../../core/kit/health.ts";
import type { HttpRoute } from "../../adapters/rpc/rpc-server.ts";
import type { ServiceHandlers } from "../../adapters/rpc/service-handlers.ts";

/**
 * What one bounded context brings to a process: its RPC handlers, the probes of the servers
 * it depends on, and any background work (outbox relay, event consumers) to start and stop.
 * The embedded process mounts every module; a distributed process mounts one.
 */
export interface ContextModule {
  readonly name: string;
  readonly handlers: readonly ServiceHandlers[];
  readonly probes: readonly HealthProbe[];
  /** Plain HTTP/1.1 routes by exact path (e.g. the JWKS document). */
  readonly httpRoutes?: Readonly<Record<string, HttpRoute>>;
  start?(): Promise<void>;
  /** Stops background work and closes connections; called after the server has drained. */
  stop?(): Promise<void>;
}
