import { requiredEnv } from "./required-env.ts";

/** A message as the local SMTP server (Mailpit) keeps it. */
export interface CaughtMail {
  readonly id: string;
  readonly messageId: string;
  readonly from: string;
  readonly to: readonly string[];
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

interface Summary {
  ID: string;
  MessageID: string;
}

/**
 * The local SMTP server's HTTP API (SHOPMESH_MAIL_API_URL from .infra/env). Tests search by
 * recipient (make one address per test) or by Message-ID, and delete what they read.
 */
export function mailApi(baseUrl = requiredEnv("SHOPMESH_MAIL_API_URL")) {
  const api = baseUrl.replace(/\/+$/, "");
  const json = async <T>(path: string, init?: RequestInit): Promise<T> => {
    const response = await fetch(`${api}${path}`, init);
    if (!response.ok) throw new Error(`mail API ${path}: HTTP ${response.status}`);
    return (await response.json()) as T;
  };
  const search = async (query: string): Promise<CaughtMail[]> => {
    const found = await json<{ messages: Summary[] }>(`/api/v1/search?limit=200&query=${encodeURIComponent(query)}`);
    return Promise.all(found.messages.map((m) => get(m.ID)));
  };
  const get = async (id: string): Promise<CaughtMail> => {
    const m = await json<{
      ID: string;
      MessageID: string;
      From: { Address: string };
      To: { Address: string }[];
      Subject: string;
      Text: string;
      HTML: string;
    }>(`/api/v1/message/${encodeURIComponent(id)}`);
    return {
      id: m.ID,
      messageId: m.MessageID,
      from: m.From?.Address ?? "",
      to: (m.To ?? []).map((t) => t.Address),
      subject: m.Subject,
      text: m.Text,
      html: m.HTML,
    };
  };
  return {
    /** Every message to this address. */
    to: (address: string) => search(`to:"${address}"`),
    /** Every message with this Message-ID (without angle brackets). */
    withMessageId: (messageId: string) => search(`message-id:"${messageId.replace(/[<>]/g, "")}"`),
    /** Waits until `count` messages to the address are there (or the time is up), then returns them all. */
    async waitFor(address: string, count: number, timeoutMs = 15_000): Promise<CaughtMail[]> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = await search(`to:"${address}"`);
        if (found.length >= count || Date.now() > deadline) return found;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async delete(ids: readonly string[]): Promise<void> {
      if (ids.length === 0) return;
      await json(`/api/v1/messages`, {
        method: "DELETE",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ IDs: ids }),
      }).catch(() => undefined);
    },
  };
}
