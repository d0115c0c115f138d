import { type InferEntity, UniqueConstraintViolationException } from "@mikro-orm/core";
import type { SqlEntityManager } from "@mikro-orm/sql";
import { emailTaken } from "../../../core/auth/auth-errors.ts";
import type { Credential } from "../../../core/auth/credential.ts";
import type { CredentialRepository } from "../../../core/auth/credential-repository.ts";
import type { TenantId } from "../../../core/kit/request-context.ts";
import { CredentialRecord } from "./credential-record.ts";

type Row = InferEntity<typeof CredentialRecord>;

/** Password hashes in the auth database (MariaDB or SQLite). */
export class MikroOrmCredentialRepository implements CredentialRepository {
  readonly #em: SqlEntityManager;

  constructor(em: SqlEntityManager) {
    this.#em = em;
  }

  async findByEmail(tenantId: TenantId, email: string): Promise<Credential | undefined> {
    const row = await this.#em.fork().findOne(CredentialRecord, { tenantId, email }, { disableIdentityMap: true });
    return row ? toCredential(row) : undefined;
  }

  async findByUser(tenantId: TenantId, userId: string): Promise<Credential | undefined> {
    const row = await this.#em.fork().findOne(CredentialRecord, { tenantId, userId }, { disableIdentityMap: true });
    return row ? toCredential(row) : undefined;
  }

  async save(credential: Credential): Promise<void> {
    const key = { tenantId: credential.tenantId, userId: credential.userId };
    try {
      await this.#em.fork().transactional(async (tx) => {
        if ((await tx.count(CredentialRecord, key)) > 0) await tx.nativeUpdate(CredentialRecord, key, toRow(credential));
        else await tx.insert(CredentialRecord, toRow(credential));
      });
    } catch (error) {
      if (!(error instanceof UniqueConstraintViolationException)) throw error;
      const holder = await this.findByEmail(credential.tenantId, credential.email);
      if (holder && holder.userId !== credential.userId) throw emailTaken();
      // A concurrent first save of the same user won the insert: ours is an update of it.
      await this.#em.fork().nativeUpdate(CredentialRecord, key, toRow(credential));
    }
  }
}

function toRow(c: Credential): Row {
  return {
    tenantId: c.tenantId,
    userId: c.userId,
    email: c.email,
    passwordHash: c.passwordHash,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}

function toCredential(row: Row): Credential {
  return {
    tenantId: row.tenantId as TenantId,
    userId: row.userId,
    email: row.email,
    passwordHash: row.passwordHash,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
