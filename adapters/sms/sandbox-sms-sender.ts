import type { OutgoingSms, SmsSender } from "../../core/notifications/ports.ts";

export interface RecordedSms extends OutgoingSms {
  readonly sentAt: Date;
}

/**
 * An SMS provider stand-in: records every message (bounded, oldest dropped) instead of sending
 * it, and answers with a provider id derived from the message id. `failNext(n)` makes the next
 * n sends fail, for tests of the retry path.
 */
export function createSandboxSmsSender(options: { limit?: number } = {}): SmsSender & {
  readonly sent: readonly RecordedSms[];
  failNext(count: number): void;
} {
  const limit = options.limit ?? 1_000;
  const sent: RecordedSms[] = [];
  let failures = 0;
  return {
    sent,
    failNext(count) {
      failures = count;
    },
    async send(sms) {
      if (failures > 0) {
        failures--;
        throw new Error("sandbox SMS provider refused the message (failNext)");
      }
      sent.push({ ...sms, sentAt: new Date() });
      if (sent.length > limit) sent.shift();
      return { providerMessageId: `sandbox-${sms.messageId.replace(/[<>]/g, "")}` };
    },
  };
}
