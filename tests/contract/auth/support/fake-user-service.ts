import type { ServiceImpl } from "@connectrpc/connect";
import type { UserAccess } from "../../../../core/auth/user-access.ts";
import { notFound } from "../../../../core/kit/domain-error.ts";
import { Role, UserService, UserStatus } from "../../../../gen/shop/users/v1/users_pb.ts";
import type { Logger } from "../../../../adapters/observability/logger.ts";
import { requestContext } from "../../../../adapters/rpc/call-context.ts";
import { serviceHandlers } from "../../../../adapters/rpc/service-handlers.ts";

const ROLE_VALUES: Record<string, Role> = { customer: Role.CUSTOMER, tenant_admin: Role.TENANT_ADMIN };

/** A stand-in UserService answering GetUserAccess from a map, behind the real handler wrapper. */
export function fakeUserService(logger: Logger) {
  const users = new Map<string, UserAccess>();
  const seen: { tenant: string; correlationId: string }[] = [];
  const impl = Object.fromEntries(
    UserService.methods.map((m) => [
      m.localName,
      () => {
        throw new Error(`${m.name} is not faked`);
      },
    ]),
  ) as unknown as ServiceImpl<typeof UserService>;
  impl.getUserAccess = async (request, handlerCtx) => {
    const ctx = requestContext(handlerCtx);
    seen.push({ tenant: ctx.tenantId, correlationId: ctx.correlationId });
    const access = users.get(JSON.stringify([ctx.tenantId, request.userId]));
    if (!access) throw notFound("user", request.userId);
    return {
      userId: access.userId,
      status: access.status === "active" ? UserStatus.ACTIVE : UserStatus.DISABLED,
      roles: access.roles.map((role) => ROLE_VALUES[role] ?? Role.UNSPECIFIED),
      emailVerified: access.emailVerified,
    };
  };
  return {
    handlers: serviceHandlers(UserService, impl, { logger, internalMethods: ["GetUserAccess"] }),
    put: (tenant: string, access: UserAccess) => void users.set(JSON.stringify([tenant, access.userId]), access),
    seen,
  };
}
