import { invalidField } from "../kit/domain-error.ts";
import type { RequestContext } from "../kit/request-context.ts";
import type { IdempotencyRecord } from "./idempotency-record.ts";
import { userErrors } from "./user-errors.ts";
import type { UsersDeps } from "./users-deps.ts";

/** One retryable command's identity: who asks (scope), with which key, for what (fingerprint). */
export interface IdempotentCommand {
  readonly scope: string;
  readonly keyHash: string;
  readonly fingerprint: string;
}

/** Checks the key (8..128 chars, as the contract says) and fingerprints the request's facts (never a password). */
export function idempotentCommand(
  deps: Pick<UsersDeps, "secrets">,
  scope: string,
  key: string,
  facts: readonly unknown[],
): IdempotentCommand {
  if (key.length < 8 || key.length > 128) throw invalidField("idempotency_key", "8 to 128 characters");
  return { scope, keyHash: deps.secrets.hash(key), fingerprint: deps.secrets.hash(JSON.stringify(facts)) };
}

/** The stored first answer for this command, if any; the same key with another request is INVALID_ARGUMENT. */
export async function priorAnswer(
  deps: Pick<UsersDeps, "users">,
  ctx: RequestContext,
  command: IdempotentCommand,
): Promise<string | undefined> {
  const record = await deps.users.findIdempotencyRecord(ctx.tenantId, command.scope, command.keyHash);
  if (!record) return undefined;
  if (record.fingerprint !== command.fingerprint) throw userErrors.idempotencyKeyReused();
  return record.response;
}

export function answerRecord(command: IdempotentCommand, response: string, now: Date): IdempotencyRecord {
  return { ...command, response, createdAt: now };
}
