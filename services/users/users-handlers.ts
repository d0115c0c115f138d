import type { ServiceImpl } from "@connectrpc/connect";
import type { UsersDeps } from "../../core/users/users-deps.ts";
import type { UserService } from "../../gen/shop/users/v1/users_pb.ts";
import { accountHandlers } from "./account-handlers.ts";
import { adminHandlers } from "./admin-handlers.ts";
import { selfServiceHandlers } from "./self-service-handlers.ts";

/** Methods for other services only: served over gRPC, never to browsers. */
export const USERS_INTERNAL_METHODS = ["GetUserAccess", "GetContactPreferences"] as const;

/**
 * UserService: proto in, core use case, proto out. Every method takes the tenant from the call
 * (token, or x-tenant-id when anonymous), never from the body; who may call what is checked in
 * the use cases (core/kit/caller-guards.ts).
 */
export function usersHandlers(deps: UsersDeps): ServiceImpl<typeof UserService> {
  return { ...accountHandlers(deps), ...selfServiceHandlers(deps), ...adminHandlers(deps) };
}
