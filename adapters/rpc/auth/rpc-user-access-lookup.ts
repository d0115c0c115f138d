import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import type { UserAccess, UserAccessLookup } from "../../../core/auth/user-access.ts";
import { unavailable } from "../../../core/kit/domain-error.ts";
import { type Role as RoleName, Roles } from "../../../core/kit/roles.ts";
import { Role, UserService, UserStatus } from "../../../gen/shop/users/v1/users_pb.ts";
import { CORRELATION_HEADER, TENANT_HEADER } from "../call-context.ts";

const ROLE_NAMES: Readonly<Record<number, RoleName>> = {
  [Role.CUSTOMER]: Roles.customer,
  [Role.TENANT_ADMIN]: Roles.tenantAdmin,
  [Role.PLATFORM_OPERATOR]: Roles.platformOperator,
};

export interface RpcUserAccessLookupOptions {
  /** Longest wait for users when the caller's own deadline is later (or absent). */
  readonly timeoutMs?: number;
}

/**
 * UserService.GetUserAccess through a Connect client: over gRPC (adapters/rpc/grpc-transport.ts)
 * to the users process in the mesh, in-process (createRouterTransport) when embedded. Sends the
 * caller's tenant and correlation id, and gives up with the caller (its abort signal). NOT_FOUND
 * is "no such user"; any other failure is UNAVAILABLE (`USERS.UNAVAILABLE`): auth cannot decide
 * without users, and says so rather than letting someone in or calling them a stranger. A status
 * auth does not know counts as disabled, and unknown roles are dropped.
 */
export function createRpcUserAccessLookup(transport: Transport, options: RpcUserAccessLookupOptions = {}): UserAccessLookup {
  const client = createClient(UserService, transport);
  const timeoutMs = options.timeoutMs ?? 2_000;
  return {
    async find(ctx, userId): Promise<UserAccess | undefined> {
      try {
        const response = await client.getUserAccess(
          { userId },
          {
            headers: { [TENANT_HEADER]: ctx.tenantId, [CORRELATION_HEADER]: ctx.correlationId },
            signal: ctx.signal,
            timeoutMs,
          },
        );
        return {
          userId: response.userId,
          status: response.status === UserStatus.ACTIVE ? "active" : "disabled",
          roles: response.roles.flatMap((role) => ROLE_NAMES[role] ?? []),
          emailVerified: response.emailVerified,
        };
      } catch (error) {
        const failure = ConnectError.from(error);
        if (failure.code === Code.NotFound) return undefined;
        throw unavailable("USERS.UNAVAILABLE", "the users service cannot answer", failure);
      }
    },
  };
}
