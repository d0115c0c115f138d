import { readConfig } from "../../adapters/config/env-config.ts";
import { createLogger } from "../../adapters/observability/logger.ts";
import { sandboxConfigSchema } from "./sandbox-config.ts";
import { startSandboxProvider } from "./sandbox-provider-server.ts";

/** The sandbox payment provider as its own process (HTTP only, state in memory). */
const config = readConfig(sandboxConfigSchema);
const logger = createLogger("payment-sandbox", config.SHOPMESH_LOG_LEVEL);
const sandbox = await startSandboxProvider(
  {
    secretKey: config.SHOPMESH_PAYMENT_SANDBOX_SECRET_KEY,
    webhookSecret: config.SHOPMESH_PAYMENT_SANDBOX_WEBHOOK_SECRET,
    webhookUrl: config.SHOPMESH_PAYMENT_SANDBOX_WEBHOOK_URL,
    lateMs: config.SHOPMESH_PAYMENT_SANDBOX_LATE_MS,
    hangMs: config.SHOPMESH_PAYMENT_SANDBOX_HANG_MS,
    logger,
  },
  config.SHOPMESH_PORT,
  config.SHOPMESH_HOST,
);
logger.info({ url: sandbox.url }, "payment sandbox is serving");
let stopping = false;
const stop = () => {
  if (stopping) process.exit(1);
  stopping = true;
  sandbox.close().then(() => process.exit(0));
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
