import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { carrierWebhookSecret } from "./shipping-config.ts";

/**
 * The embedded process's carrier webhook secret: the configured one, or one made at first start
 * and kept in the data dir (`<data dir>/carrier-webhook-secret`, mode 0600). Not a default
 * secret: each installation makes its own. A real deployment sets
 * SHOPMESH_SHIPPING_CARRIER_WEBHOOK_SECRET from its secret store and gives it to the carrier.
 */
export function embeddedWebhookSecret(configured: string | undefined, dataDir: string): string {
  if (configured) return carrierWebhookSecret.parse(configured);
  const file = join(dataDir, "carrier-webhook-secret");
  try {
    return carrierWebhookSecret.parse(readFileSync(file, "utf8").trim());
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  writeFileSync(file, `${randomBytes(32).toString("base64url")}\n`, { mode: 0o600, flag: "wx" });
  return carrierWebhookSecret.parse(readFileSync(file, "utf8").trim());
}
