import { expect } from "vitest";
import { ConnectError } from "@connectrpc/connect";
import type { AuthServiceUnderTest } from "./auth-service-under-test.ts";

/** Call options of an anonymous caller of `tenant` (and, optionally, from behind the mesh's gateway). */
export const anonymous = (tenant: string, forwardedFor?: string) => ({
  headers: { "x-tenant-id": tenant, ...(forwardedFor ? { "x-forwarded-for": forwardedFor } : {}) },
});

/** Call options of a caller with an access token (and, optionally, a tenant header). */
export const bearer = (accessToken: string, tenant?: string) => ({
  headers: { authorization: `Bearer ${accessToken}`, ...(tenant ? { "x-tenant-id": tenant } : {}) },
});

export async function failure(call: Promise<unknown>): Promise<ConnectError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, "the call should have failed").toBeDefined();
  return ConnectError.from(error);
}

/** What users does on Register: SetCredential in auth (internal, over gRPC), and it knows the user. */
export async function registerUser(
  sut: AuthServiceUnderTest,
  user: { tenant: string; userId: string; email: string; password: string; roles?: string[] },
): Promise<void> {
  await sut.internal.setCredential({ userId: user.userId, email: user.email, password: user.password }, anonymous(user.tenant));
  sut.users.put(user.tenant, { userId: user.userId, status: "active", roles: user.roles ?? ["customer"], emailVerified: true });
}
