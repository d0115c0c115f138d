import { createRouterTransport, type Transport } from "@connectrpc/connect";
import type { ContextModule } from "../runtime/context-module.ts";

/**
 * How embedded contexts call each other: a Connect transport that routes straight to the
 * handlers of the process's modules (internal methods included), with no network hop. The
 * handlers keep their wrapper (identity, validation, errors), so a call behaves as it would
 * across the mesh. Built on first use, once every module exists.
 */
export function inProcessTransport(modules: () => readonly ContextModule[]): Transport {
  let routes: Transport | undefined;
  const transport = () =>
    (routes ??= createRouterTransport((router) => {
      for (const module of modules()) for (const { service, impl } of module.handlers) router.service(service, impl);
    }));
  return {
    unary: (...args) => transport().unary(...args),
    stream: (...args) => transport().stream(...args),
  };
}
