import { createTransport } from "nodemailer";
import type { EmailSender } from "../../core/notifications/ports.ts";

export interface SmtpSettings {
  readonly host: string;
  readonly port: number;
  /** Implicit TLS (port 465); otherwise STARTTLS is used when the server offers it. */
  readonly secure?: boolean;
  readonly user?: string | undefined;
  readonly password?: string | undefined;
  /** The From header, e.g. "Shop <no-reply@shop.example>". */
  readonly from: string;
  /** Connect, greeting and socket timeout. */
  readonly timeoutMs?: number;
}

/**
 * Email through an SMTP server with nodemailer (a small connection pool). The Message-ID is
 * the one given (derived from the delivery id), so a resend of the same delivery carries the
 * same id. Resolves once the server accepted the message for every recipient; a refusal or a
 * connection failure rejects (the delivery is retried).
 */
export function createSmtpEmailSender(settings: SmtpSettings): EmailSender & { close(): void } {
  const timeout = settings.timeoutMs ?? 10_000;
  const transport = createTransport({
    pool: true,
    maxConnections: 4,
    host: settings.host,
    port: settings.port,
    secure: settings.secure ?? false,
    ...(settings.user ? { auth: { user: settings.user, pass: settings.password ?? "" } } : {}),
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  return {
    async send(email) {
      const info = await transport.sendMail({
        from: settings.from,
        to: email.to,
        subject: email.subject,
        text: email.text,
        ...(email.html ? { html: email.html } : {}),
        messageId: email.messageId,
        disableFileAccess: true,
        disableUrlAccess: true,
      });
      if (info.rejected.length > 0) throw new Error(`the SMTP server rejected ${info.rejected.length} recipient(s)`);
      return { providerMessageId: info.messageId || email.messageId };
    },
    close() {
      transport.close();
    },
  };
}
