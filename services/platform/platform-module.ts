import { PlatformService } from "../../gen/shop/platform/v1/platform_pb.ts";
import type { Logger } from "../../adapters/observability/logger.ts";
import { serviceHandlers } from "../../adapters/rpc/service-handlers.ts";
import type { ContextModule } from "../runtime/context-module.ts";
import { type PlatformInfo, platformHandlers } from "./platform-handlers.ts";

/** PlatformService (Ping, GetInfo) for any process: which instance and version served a call. */
export function platformModule(info: PlatformInfo, logger: Logger): ContextModule {
  return { name: "platform", probes: [], handlers: [serviceHandlers(PlatformService, platformHandlers(info), { logger })] };
}
