import type { RequestContext } from "../../../core/kit/request-context.ts";
import type { CredentialRegistry } from "../../../core/users/credential-registry.ts";

export interface RecordedCredential {
  readonly tenantId: string;
  readonly userId: string;
  readonly email: string;
  readonly password: string;
  readonly revokeSessions: boolean;
}

/**
 * Credentials kept in a list, for tests and demos without auth: records every call, keeps the
 * last password per user, and can be told to fail the next calls (auth down, password refused)
 * to exercise what users does then.
 */
export class MemoryCredentialRegistry implements CredentialRegistry {
  readonly calls: RecordedCredential[] = [];
  readonly #failures: Error[] = [];

  failNext(error: Error, times = 1): void {
    for (let i = 0; i < times; i++) this.#failures.push(error);
  }

  passwordOf(tenantId: string, userId: string): string | undefined {
    return this.calls.findLast((c) => c.tenantId === tenantId && c.userId === userId)?.password;
  }

  async setPassword(ctx: RequestContext, credential: Parameters<CredentialRegistry["setPassword"]>[1]): Promise<void> {
    const failure = this.#failures.shift();
    if (failure) throw failure;
    this.calls.push({ tenantId: ctx.tenantId, ...credential });
  }
}
