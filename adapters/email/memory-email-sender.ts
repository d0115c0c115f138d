import type { EmailSender, OutgoingEmail } from "../../core/notifications/ports.ts";

/**
 * Keeps emails in memory instead of sending them (tests, and the embedded process when no SMTP
 * server is configured; `onSend` may log them). Bounded: the oldest are dropped. `failNext(n)`
 * makes the next n sends fail.
 */
export function createMemoryEmailSender(
  options: { limit?: number; onSend?: (email: OutgoingEmail) => void } = {},
): EmailSender & {
  readonly sent: readonly OutgoingEmail[];
  failNext(count: number): void;
} {
  const limit = options.limit ?? 1_000;
  const sent: OutgoingEmail[] = [];
  let failures = 0;
  return {
    sent,
    failNext(count) {
      failures = count;
    },
    async send(email) {
      if (failures > 0) {
        failures--;
        throw new Error("memory email sender refused the message (failNext)");
      }
      sent.push(email);
      if (sent.length > limit) sent.shift();
      options.onSend?.(email);
      return { providerMessageId: email.messageId };
    },
  };
}
