import type { Credential } from "../../../core/auth/credential.ts";
import type { CredentialRepository } from "../../../core/auth/credential-repository.ts";
import { emailTaken } from "../../../core/auth/auth-errors.ts";
import type { TenantId } from "../../../core/kit/request-context.ts";

/** Credentials in a Map: for unit tests; passes the same contract as the SQL one. */
export class MemoryCredentialRepository implements CredentialRepository {
  readonly #rows = new Map<string, Credential>();

  async findByEmail(tenantId: TenantId, email: string): Promise<Credential | undefined> {
    return [...this.#rows.values()].find((row) => row.tenantId === tenantId && row.email === email);
  }

  async findByUser(tenantId: TenantId, userId: string): Promise<Credential | undefined> {
    return this.#rows.get(keyOf(tenantId, userId));
  }

  async save(credential: Credential): Promise<void> {
    const holder = await this.findByEmail(credential.tenantId, credential.email);
    if (holder && holder.userId !== credential.userId) throw emailTaken();
    this.#rows.set(keyOf(credential.tenantId, credential.userId), { ...credential });
  }
}

const keyOf = (tenantId: string, userId: string) => JSON.stringify([tenantId, userId]);
