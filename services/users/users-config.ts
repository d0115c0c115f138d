import { z } from "zod";
import { accessTokenVerifyingConfig, remoteJwksConfig } from "../../adapters/config/access-token-config.ts";
import { DEFAULT_USER_POLICY, type UserPolicy } from "../../core/users/users-deps.ts";
import { meshConfigFields, port, processConfigFields } from "../runtime/process-config.ts";
import { retentionConfigFields } from "../runtime/retention-config.ts";

const MINUTE = 60_000;

export const usersConfigSchema = z.object({
  ...processConfigFields,
  ...meshConfigFields,
  ...retentionConfigFields,
  ...accessTokenVerifyingConfig,
  ...remoteJwksConfig,
  SHOPMESH_PORT: port(7002),
  SHOPMESH_USERS_DATABASE: z
    .string()
    .regex(/^[a-z0-9_]{1,64}$/)
    .default("shopmesh_users"),
  /** The profile cache. Required: no default. */
  SHOPMESH_REDIS_URL: z.string().url(),
  /** host:port of the auth process's gRPC side (SetCredential). Required: no default. */
  SHOPMESH_AUTH_GRPC_TARGET: z.string().min(3),
  /** How long a cached profile lives; also how stale it can get if Redis lost an invalidation. */
  SHOPMESH_USERS_PROFILE_CACHE_TTL_SECONDS: z.coerce.number().int().min(1).max(3_600).default(300),
  SHOPMESH_USERS_VERIFICATION_TOKEN_TTL_MINUTES: z.coerce
    .number()
    .int()
    .min(10)
    .max(7 * 24 * 60)
    .default(DEFAULT_USER_POLICY.verificationTokenTtlMs / MINUTE),
  SHOPMESH_USERS_RESET_TOKEN_TTL_MINUTES: z.coerce
    .number()
    .int()
    .min(5)
    .max(24 * 60)
    .default(DEFAULT_USER_POLICY.resetTokenTtlMs / MINUTE),
});

export type UsersConfig = z.infer<typeof usersConfigSchema>;

export function userPolicyOf(config: UsersConfig): UserPolicy {
  return {
    ...DEFAULT_USER_POLICY,
    verificationTokenTtlMs: config.SHOPMESH_USERS_VERIFICATION_TOKEN_TTL_MINUTES * MINUTE,
    resetTokenTtlMs: config.SHOPMESH_USERS_RESET_TOKEN_TTL_MINUTES * MINUTE,
  };
}
