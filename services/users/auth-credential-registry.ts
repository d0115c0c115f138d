import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { alreadyExists, invalidField, unavailable } from "../../core/kit/domain-error.ts";
import type { CredentialRegistry } from "../../core/users/credential-registry.ts";
import { CORRELATION_HEADER, TENANT_HEADER } from "../../adapters/rpc/call-context.ts";
import { AuthService } from "../../gen/shop/auth/v1/auth_pb.ts";

export interface AuthCredentialRegistryOptions {
  /** Longest wait for auth when the caller's own deadline is later (or absent). */
  readonly timeoutMs?: number;
}

/**
 * The CredentialRegistry of a real deployment: AuthService.SetCredential through a Connect
 * client over the given transport (gRPC to the auth process in the mesh, createRouterTransport
 * over auth's handlers when embedded). Sends the caller's tenant and correlation id and gives
 * up with the caller. Auth's refusals keep their meaning (INVALID_ARGUMENT: the password;
 * ALREADY_EXISTS: the email); anything else means auth cannot answer: UNAVAILABLE.
 */
export function createAuthCredentialRegistry(
  transport: Transport,
  options: AuthCredentialRegistryOptions = {},
): CredentialRegistry {
  const client = createClient(AuthService, transport);
  const timeoutMs = options.timeoutMs ?? 5_000;
  return {
    async setPassword(ctx, credential) {
      try {
        await client.setCredential(credential, {
          headers: { [TENANT_HEADER]: ctx.tenantId, [CORRELATION_HEADER]: ctx.correlationId },
          signal: ctx.signal,
          timeoutMs,
        });
      } catch (error) {
        const failure = ConnectError.from(error);
        if (failure.code === Code.InvalidArgument) throw invalidField("password", failure.rawMessage);
        if (failure.code === Code.AlreadyExists) {
          throw alreadyExists("USER.CREDENTIAL_CONFLICT", "auth holds this email for another user");
        }
        throw unavailable("USER.CREDENTIALS_UNAVAILABLE", "auth cannot set the password right now", failure);
      }
    },
  };
}
