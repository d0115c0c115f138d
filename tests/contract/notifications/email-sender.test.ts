import { afterAll, describe, expect, it } from "vitest";
import { createMemoryEmailSender } from "../../../adapters/email/memory-email-sender.ts";
import { createSmtpEmailSender } from "../../../adapters/email/smtp-email-sender.ts";
import type { EmailSender } from "../../../core/notifications/ports.ts";
import { type CaughtMail, mailApi } from "../../support/mail-api.ts";
import { requiredEnv } from "../../support/required-env.ts";
import { uniqueName } from "../../support/unique-name.ts";

const mail = mailApi();
const smtp = () =>
  createSmtpEmailSender({
    host: requiredEnv("SHOPMESH_SMTP_HOST"),
    port: Number(requiredEnv("SHOPMESH_SMTP_PORT")),
    from: "shopmesh test <no-reply@shopmesh.test>",
    timeoutMs: 3_000,
  });
const caught: CaughtMail[] = [];

/** What every EmailSender must do; the SMTP one is read back from the real server's API. */
function emailSenderContract(
  name: string,
  make: () => EmailSender & { close?(): void },
  readBack: (to: string) => Promise<CaughtMail[]>,
) {
  describe(`EmailSender contract: ${name}`, () => {
    it("delivers subject, text and HTML to the recipient under the given Message-ID", async () => {
      const sender = make();
      const to = `${uniqueName("contract")}@example.com`.replaceAll("_", "-");
      const messageId = `<${uniqueName("d")}@notifications.shopmesh>`;
      const sent = await sender.send({
        messageId,
        to,
        subject: "Order ü-1 confirmed",
        text: "Thanks, O'Brien",
        html: "<p>Thanks</p>",
      });
      expect(sent.providerMessageId).toBe(messageId);
      const found = await readBack(to);
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({ messageId: messageId.slice(1, -1), subject: "Order ü-1 confirmed", to: [to] });
      expect(found[0]?.text.trim()).toBe("Thanks, O'Brien");
      expect(found[0]?.html).toContain("<p>Thanks</p>");
      sender.close?.();
    });
  });
}

const memory = createMemoryEmailSender();
emailSenderContract(
  "memory",
  () => memory,
  async (to) =>
    memory.sent
      .filter((m) => m.to === to)
      .map((m) => ({
        id: m.messageId,
        messageId: m.messageId.slice(1, -1),
        from: "",
        to: [m.to],
        subject: m.subject,
        text: m.text,
        html: m.html,
      })),
);
emailSenderContract("nodemailer SMTP to the local server", smtp, async (to) => {
  const found = await mail.waitFor(to, 1);
  caught.push(...found);
  return found;
});

describe("SMTP email sender failures", () => {
  it("when nothing listens on the port, then send rejects (the delivery is retried)", async () => {
    const sender = createSmtpEmailSender({ host: "127.0.0.1", port: 9, from: "x <x@shopmesh.test>", timeoutMs: 1_000 });
    await expect(
      sender.send({ messageId: "<x@notifications.shopmesh>", to: "nobody@example.com", subject: "s", text: "t", html: "" }),
    ).rejects.toThrow();
    sender.close();
  });
});

afterAll(async () => {
  await mail.delete(caught.map((m) => m.id));
});
