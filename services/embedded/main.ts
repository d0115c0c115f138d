// shopmesh embedded: every context in one process on one port, embedded adapters, no servers.
import { PlatformService } from "../../gen/shop/platform/v1/platform_pb.ts";
import { readConfig } from "../../adapters/config/env-config.ts";
import { createLogger } from "../../adapters/observability/logger.ts";
import { serviceHandlers } from "../../adapters/rpc/service-handlers.ts";
import { platformHandlers } from "../platform/platform-handlers.ts";
import type { ContextModule } from "../runtime/context-module.ts";
import { startProcess, stopOnSignals } from "../runtime/run-process.ts";
import { embeddedConfigSchema } from "./embedded-config.ts";

const config = readConfig(embeddedConfigSchema);
const logger = createLogger("shopmesh-embedded", config.SHOPMESH_LOG_LEVEL);

const contexts: ContextModule[] = [];
const platform: ContextModule = {
  name: "platform",
  probes: [],
  handlers: [
    serviceHandlers(
      PlatformService,
      platformHandlers({
        service: "shopmesh-embedded",
        version: config.SHOPMESH_VERSION,
        runMode: "embedded",
        contexts: () => contexts.map((c) => c.name),
      }),
      { logger },
    ),
  ],
};

const running = await startProcess({
  modules: [platform, ...contexts],
  logger,
  port: config.SHOPMESH_PORT,
  host: config.SHOPMESH_HOST,
  drainMs: config.SHOPMESH_DRAIN_MS,
});
stopOnSignals(running, logger);

logger.info({ url: running.server.url, contexts: contexts.map((c) => c.name) }, "shopmesh embedded is serving");
process.stdout.write(`
shopmesh (embedded) listens on ${running.server.url}
  Connect/JSON:  curl -s -H 'content-type: application/json' -d '{"payload":"hi"}' ${running.server.url}/shop.platform.v1.PlatformService/Ping
  gRPC:          buf curl --http2-prior-knowledge --protocol grpc ${running.server.url}/shop.platform.v1.PlatformService/GetInfo
  health:        ${running.server.url}/readyz
Ctrl-C stops it (in-flight calls finish first).
`);
