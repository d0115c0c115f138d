import type { Transport } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import type { Logger } from "../../adapters/observability/logger.ts";
import { createGrpcTransport, type GrpcTransport } from "../../adapters/rpc/grpc-transport.ts";
import type { ContextModule } from "../../services/runtime/context-module.ts";
import { startProcess } from "../../services/runtime/run-process.ts";

/** A service process a component test started on a port of its own, and clients to it. */
export interface TestProcess {
  readonly url: string;
  readonly port: number;
  /** A client transport over gRPC or Connect (HTTP/1.1); `stop` closes the gRPC ones. */
  transport(kind: "grpc" | "connect"): Transport;
  /** Closes the gRPC transports handed out, then stops the process (graceful, modules in reverse). */
  stop(): Promise<void>;
}

/** The modules served on 127.0.0.1, port 0, as a process does (one second of drain on stop). */
export async function startTestProcess(modules: readonly ContextModule[], logger: Logger): Promise<TestProcess> {
  const running = await startProcess({ modules, logger, port: 0, host: "127.0.0.1", drainMs: 1_000 });
  const grpcTransports: GrpcTransport[] = [];
  return {
    url: running.server.url,
    port: running.server.port,
    transport(kind) {
      if (kind === "connect") return createConnectTransport({ baseUrl: running.server.url, httpVersion: "1.1" });
      const transport = createGrpcTransport(`127.0.0.1:${running.server.port}`);
      grpcTransports.push(transport);
      return transport;
    },
    async stop() {
      for (const transport of grpcTransports) transport.close();
      await running.stop();
    },
  };
}
