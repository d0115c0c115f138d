import { startRpcServer, type RunningRpcServer } from "../../adapters/rpc/rpc-server.ts";
import type { Logger } from "../../adapters/observability/logger.ts";
import type { ContextModule } from "./context-module.ts";

export interface ProcessOptions {
  readonly modules: readonly ContextModule[];
  readonly logger: Logger;
  readonly port: number;
  readonly host: string;
  readonly drainMs: number;
}

export interface RunningProcess {
  readonly server: RunningRpcServer;
  /** Graceful: stop taking calls, let in-flight ones finish, then stop the modules in reverse. */
  stop(): Promise<void>;
}

export async function startProcess(options: ProcessOptions): Promise<RunningProcess> {
  const started: ContextModule[] = [];
  const stopModules = async () => {
    for (const module of started.reverse()) {
      await module.stop?.().catch((err) => options.logger.error({ err, module: module.name }, "stop failed"));
    }
  };
  try {
    for (const module of options.modules) {
      await module.start?.();
      started.push(module);
    }
    const server = await startRpcServer(
      {
        handlers: options.modules.flatMap((m) => m.handlers),
        probes: options.modules.flatMap((m) => m.probes),
        httpRoutes: Object.assign({}, ...options.modules.map((m) => m.httpRoutes ?? {})),
        logger: options.logger,
        drainMs: options.drainMs,
      },
      options.port,
      options.host,
    );
    return {
      server,
      async stop() {
        await server.close();
        await stopModules();
      },
    };
  } catch (error) {
    await stopModules();
    throw error;
  }
}

/** SIGTERM (Kubernetes) or SIGINT (a terminal): drain and exit; a second signal exits at once. */
export function stopOnSignals(process_: RunningProcess, logger: Logger): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info({ signal }, "draining");
    process_.stop().then(
      () => {
        logger.info("stopped");
        process.exit(0);
      },
      (err) => {
        logger.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
}
