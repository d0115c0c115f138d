import type { ServiceImpl } from "@connectrpc/connect";
import { getContactPreferences, getUserAccess } from "../../core/users/user-access.ts";
import { disableUser, enableUser, getUser, listUsers, searchUsers, setUserRoles } from "../../core/users/user-admin.ts";
import type { UsersDeps } from "../../core/users/users-deps.ts";
import { requestContext } from "../../adapters/rpc/call-context.ts";
import { Role, type UserService } from "../../gen/shop/users/v1/users_pb.ts";
import {
  preferencesToProto,
  roleFromProto,
  roleToProto,
  statusFromProto,
  statusToProto,
  userToProto,
} from "./users-proto-mapping.ts";

type AdminMethods =
  | "getUser"
  | "listUsers"
  | "searchUsers"
  | "disableUser"
  | "enableUser"
  | "setUserRoles"
  | "getUserAccess"
  | "getContactPreferences";

/** Tenant admins' RPCs, and the two internal reads for auth and notifications. */
export function adminHandlers(deps: UsersDeps): Pick<ServiceImpl<typeof UserService>, AdminMethods> {
  return {
    async getUser(request, ctx) {
      return { user: userToProto(await getUser(deps, requestContext(ctx), request.userId)) };
    },
    async listUsers(request, ctx) {
      const page = await listUsers(deps, requestContext(ctx), {
        status: statusFromProto(request.status),
        role: request.role === Role.UNSPECIFIED ? undefined : roleFromProto(request.role),
        pageSize: request.page?.pageSize,
        pageToken: request.page?.pageToken,
      });
      return { users: page.users.map(userToProto), page: { nextPageToken: page.nextPageToken ?? "" } };
    },
    async searchUsers(request, ctx) {
      const page = await searchUsers(deps, requestContext(ctx), {
        query: request.query,
        pageSize: request.page?.pageSize,
        pageToken: request.page?.pageToken,
      });
      return { users: page.users.map(userToProto), page: { nextPageToken: page.nextPageToken ?? "" } };
    },
    async disableUser(request, ctx) {
      return { user: userToProto(await disableUser(deps, requestContext(ctx), request.userId, request.reason)) };
    },
    async enableUser(request, ctx) {
      return { user: userToProto(await enableUser(deps, requestContext(ctx), request.userId)) };
    },
    async setUserRoles(request, ctx) {
      const roles = request.roles.map((role, i) => roleFromProto(role, `roles[${i}]`));
      return { user: userToProto(await setUserRoles(deps, requestContext(ctx), request.userId, roles)) };
    },
    async getUserAccess(request, ctx) {
      const access = await getUserAccess(deps, requestContext(ctx), request.userId);
      return {
        userId: access.userId,
        status: statusToProto(access.status),
        roles: access.roles.map(roleToProto),
        emailVerified: access.emailVerified,
      };
    },
    async getContactPreferences(request, ctx) {
      const contact = await getContactPreferences(deps, requestContext(ctx), request.userId);
      return {
        userId: contact.userId,
        email: contact.email,
        emailVerified: contact.emailVerified,
        phoneNumber: contact.phoneNumber ?? "",
        displayName: contact.displayName,
        preferences: preferencesToProto(contact.preferences),
        status: statusToProto(contact.status),
      };
    },
  };
}
