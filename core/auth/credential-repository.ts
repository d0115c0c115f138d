import type { TenantId } from "../kit/request-context.ts";
import type { Credential } from "./credential.ts";

/** Where password hashes live; every query is scoped by tenant. */
export interface CredentialRepository {
  findByEmail(tenantId: TenantId, email: string): Promise<Credential | undefined>;
  findByUser(tenantId: TenantId, userId: string): Promise<Credential | undefined>;
  /**
   * Creates the user's credential or replaces it (new hash, maybe a new email).
   * ALREADY_EXISTS (`AUTH.EMAIL_TAKEN`) when another user of the tenant has that email.
   */
  save(credential: Credential): Promise<void>;
}
