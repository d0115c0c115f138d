import type { TenantId } from "../kit/request-context.ts";

/** What auth keeps to check a user's password: one per (tenant, user), its email unique in the tenant. */
export interface Credential {
  readonly tenantId: TenantId;
  /** Owned by the users context. */
  readonly userId: string;
  /** Lower case (login-email.ts). */
  readonly email: string;
  /** The hasher's encoded form (algorithm, parameters, salt, hash); never the password. */
  readonly passwordHash: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export const MAX_USER_ID_LENGTH = 64;
