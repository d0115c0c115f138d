import type { ServiceImpl } from "@connectrpc/connect";
import { requestEmailVerification, verifyEmail } from "../../core/users/email-verification.ts";
import { requestPasswordReset, resetPassword } from "../../core/users/password-reset.ts";
import { register } from "../../core/users/registration.ts";
import type { UsersDeps } from "../../core/users/users-deps.ts";
import { requestContext } from "../../adapters/rpc/call-context.ts";
import type { UserService } from "../../gen/shop/users/v1/users_pb.ts";
import { userToProto } from "./users-proto-mapping.ts";

type AccountMethods = "register" | "requestEmailVerification" | "verifyEmail" | "requestPasswordReset" | "resetPassword";

/** The anonymous RPCs (tenant from x-tenant-id): sign-up and the two single-use token flows. */
export function accountHandlers(deps: UsersDeps): Pick<ServiceImpl<typeof UserService>, AccountMethods> {
  return {
    async register(request, ctx) {
      const user = await register(deps, requestContext(ctx), {
        email: request.email,
        password: request.password,
        displayName: request.displayName,
        locale: request.locale,
        marketingOptIn: request.marketingOptIn,
        idempotencyKey: request.idempotencyKey,
      });
      return { user: userToProto(user) };
    },
    async requestEmailVerification(request, ctx) {
      await requestEmailVerification(deps, requestContext(ctx), request.email);
      return {};
    },
    async verifyEmail(request, ctx) {
      await verifyEmail(deps, requestContext(ctx), request.token);
      return {};
    },
    async requestPasswordReset(request, ctx) {
      await requestPasswordReset(deps, requestContext(ctx), request.email);
      return {};
    },
    async resetPassword(request, ctx) {
      await resetPassword(deps, requestContext(ctx), { token: request.token, newPassword: request.newPassword });
      return {};
    },
  };
}
