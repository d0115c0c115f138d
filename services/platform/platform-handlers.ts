import { hostname } from "node:os";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import { type PlatformService, RunMode } from "../../gen/shop/platform/v1/platform_pb.ts";

export interface PlatformInfo {
  readonly service: string;
  readonly version: string;
  readonly runMode: "embedded" | "distributed";
  readonly contexts: () => readonly string[];
}

/**
 * Ping answers with the instance that served it: with several versions behind one name
 * (canary), it shows where a call landed. GetInfo tells what this process runs.
 */
export function platformHandlers(info: PlatformInfo): ServiceImpl<typeof PlatformService> {
  const servedBy = `${info.service}@${hostname()}/${process.pid}`;
  const startTime = timestampFromDate(new Date());
  const runMode = info.runMode === "embedded" ? RunMode.EMBEDDED : RunMode.DISTRIBUTED;
  return {
    ping: (request) => ({ payload: request.payload, servedBy, version: info.version }),
    getInfo: () => ({
      service: info.service,
      version: info.version,
      runMode,
      contexts: [...info.contexts()],
      servedBy,
      startTime,
    }),
  };
}
