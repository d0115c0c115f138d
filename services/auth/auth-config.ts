import { z } from "zod";
import { accessTokenIssuingConfig } from "../../adapters/config/access-token-config.ts";
import { meshConfigFields, port, processConfigFields } from "../runtime/process-config.ts";
import type { AccessTokenSettings } from "./access-token-kit.ts";
import { loginConfigFields } from "./login-config.ts";
import { retentionConfigFields } from "../runtime/retention-config.ts";

export const authConfigSchema = z.object({
  ...processConfigFields,
  ...meshConfigFields,
  ...retentionConfigFields,
  ...accessTokenIssuingConfig,
  ...loginConfigFields,
  SHOPMESH_PORT: port(7001),
  SHOPMESH_AUTH_DATABASE: z
    .string()
    .regex(/^[a-z0-9_]{1,64}$/)
    .default("shopmesh_auth"),
  /** Login attempt counters, shared by every auth replica. Required: no default. */
  SHOPMESH_REDIS_URL: z.string().url(),
  /** host:port of the users service's gRPC side (GetUserAccess at login and refresh). Required. */
  SHOPMESH_USERS_ADDRESS: z.string().regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, "host:port"),
});

/** The access token fields of a parsed config, as the auth module takes them. */
export function accessTokenSettings(config: z.infer<z.ZodObject<typeof accessTokenIssuingConfig>>): AccessTokenSettings {
  return {
    issuer: config.SHOPMESH_TOKEN_ISSUER,
    audience: config.SHOPMESH_TOKEN_AUDIENCE,
    ttlSeconds: config.SHOPMESH_ACCESS_TOKEN_TTL_SECONDS,
    clockToleranceSeconds: config.SHOPMESH_TOKEN_CLOCK_TOLERANCE_SECONDS,
    rotateAfterDays: config.SHOPMESH_SIGNING_KEY_ROTATE_DAYS,
    keyEncryptionKey: config.SHOPMESH_AUTH_KEY_ENCRYPTION_KEY,
  };
}
