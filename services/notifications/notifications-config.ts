import { z } from "zod";
import { accessTokenVerifyingConfig, remoteJwksConfig } from "../../adapters/config/access-token-config.ts";
import { DEFAULT_NOTIFICATION_POLICY, type NotificationPolicy } from "../../core/notifications/notifications-deps.ts";
import { meshConfigFields, port, processConfigFields } from "../runtime/process-config.ts";
import { retentionConfigFields } from "../runtime/retention-config.ts";

/** The SMTP settings every process that sends mail reads (notifications; embedded when set). */
export const smtpConfigFields = {
  SHOPMESH_SMTP_HOST: z.string().min(1).optional(),
  SHOPMESH_SMTP_PORT: z.coerce.number().int().min(1).max(65_535).default(25),
  /** Implicit TLS (465); otherwise STARTTLS when offered. */
  SHOPMESH_SMTP_SECURE: z.stringbool().default(false),
  SHOPMESH_SMTP_USER: z.string().optional(),
  SHOPMESH_SMTP_PASSWORD: z.string().optional(),
  SHOPMESH_SMTP_FROM: z.string().min(3).default("shopmesh <no-reply@shopmesh.local>"),
  SHOPMESH_SMTP_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
};

export const notificationsConfigSchema = z.object({
  ...processConfigFields,
  ...meshConfigFields,
  ...retentionConfigFields,
  ...accessTokenVerifyingConfig,
  ...remoteJwksConfig,
  ...smtpConfigFields,
  SHOPMESH_PORT: port(7010),
  SHOPMESH_SMTP_HOST: z.string().min(1),
  SHOPMESH_USERS_GRPC_TARGET: z.string().min(3),
  SHOPMESH_NOTIFICATIONS_DATABASE: z
    .string()
    .regex(/^[a-z0-9_]{1,64}$/)
    .default("shopmesh_notifications"),
  /** Base of the links in account mail (verify-email, reset-password). */
  SHOPMESH_NOTIFICATIONS_LINK_BASE_URL: z.string().url().default(DEFAULT_NOTIFICATION_POLICY.linkBaseUrl),
  /** Attempts per delivery before it is dead-lettered, and the backoff between them. */
  SHOPMESH_NOTIFICATIONS_MAX_ATTEMPTS: z.coerce
    .number()
    .int()
    .min(1)
    .max(20)
    .default(DEFAULT_NOTIFICATION_POLICY.retry.maxAttempts),
  SHOPMESH_NOTIFICATIONS_RETRY_INITIAL_MS: z.coerce
    .number()
    .int()
    .min(10)
    .max(600_000)
    .default(DEFAULT_NOTIFICATION_POLICY.retry.initialDelayMs),
  SHOPMESH_NOTIFICATIONS_RETRY_MAX_MS: z.coerce
    .number()
    .int()
    .min(10)
    .max(86_400_000)
    .default(DEFAULT_NOTIFICATION_POLICY.retry.maxDelayMs),
  /** How often the worker looks for due retries. */
  SHOPMESH_NOTIFICATIONS_RETRY_INTERVAL_MS: z.coerce.number().int().min(50).max(600_000).default(1_000),
  /** How long a contact (address, opt-outs) from users is reused. */
  SHOPMESH_NOTIFICATIONS_CONTACT_CACHE_TTL_MS: z.coerce.number().int().min(0).max(600_000).default(30_000),
});

export type NotificationsConfig = z.infer<typeof notificationsConfigSchema>;

export function notificationPolicyOf(
  config: Pick<
    NotificationsConfig,
    | "SHOPMESH_NOTIFICATIONS_LINK_BASE_URL"
    | "SHOPMESH_NOTIFICATIONS_MAX_ATTEMPTS"
    | "SHOPMESH_NOTIFICATIONS_RETRY_INITIAL_MS"
    | "SHOPMESH_NOTIFICATIONS_RETRY_MAX_MS"
  >,
): NotificationPolicy {
  return {
    ...DEFAULT_NOTIFICATION_POLICY,
    linkBaseUrl: config.SHOPMESH_NOTIFICATIONS_LINK_BASE_URL,
    retry: {
      maxAttempts: config.SHOPMESH_NOTIFICATIONS_MAX_ATTEMPTS,
      initialDelayMs: config.SHOPMESH_NOTIFICATIONS_RETRY_INITIAL_MS,
      maxDelayMs: Math.max(config.SHOPMESH_NOTIFICATIONS_RETRY_MAX_MS, config.SHOPMESH_NOTIFICATIONS_RETRY_INITIAL_MS),
    },
  };
}
