import type { ServiceImpl } from "@connectrpc/connect";
import { addAddress, listAddresses, removeAddress, setDefaultAddress, updateAddress } from "../../core/users/addresses.ts";
import { getProfile, updateProfile } from "../../core/users/profile.ts";
import { getPreferences, updatePreferences } from "../../core/users/user-preferences.ts";
import type { UsersDeps } from "../../core/users/users-deps.ts";
import { invalidField } from "../../core/kit/domain-error.ts";
import { requestContext } from "../../adapters/rpc/call-context.ts";
import type { UserService } from "../../gen/shop/users/v1/users_pb.ts";
import { addressToProto, choicesFromProto, postalFromProto, preferencesToProto, userToProto } from "./users-proto-mapping.ts";

type SelfServiceMethods =
  | "getProfile"
  | "updateProfile"
  | "listAddresses"
  | "addAddress"
  | "updateAddress"
  | "removeAddress"
  | "setDefaultAddress"
  | "getPreferences"
  | "updatePreferences";

/** The caller's own account (authenticated: the user is the token's subject, the tenant the token's). */
export function selfServiceHandlers(deps: UsersDeps): Pick<ServiceImpl<typeof UserService>, SelfServiceMethods> {
  return {
    async getProfile(_request, ctx) {
      return { user: userToProto(await getProfile(deps, requestContext(ctx))) };
    },
    async updateProfile(request, ctx) {
      const user = await updateProfile(deps, requestContext(ctx), {
        displayName: request.displayName,
        phoneNumber: request.phoneNumber,
      });
      return { user: userToProto(user) };
    },
    async listAddresses(_request, ctx) {
      return { addresses: (await listAddresses(deps, requestContext(ctx))).map(addressToProto) };
    },
    async addAddress(request, ctx) {
      if (!request.postalAddress) throw invalidField("postal_address", "required");
      const address = await addAddress(deps, requestContext(ctx), {
        label: request.label,
        postalAddress: postalFromProto(request.postalAddress),
        setAsDefault: request.setAsDefault,
        idempotencyKey: request.idempotencyKey,
      });
      return { address: addressToProto(address) };
    },
    async updateAddress(request, ctx) {
      const address = await updateAddress(deps, requestContext(ctx), request.addressId, {
        label: request.label,
        postalAddress: request.postalAddress && postalFromProto(request.postalAddress),
      });
      return { address: addressToProto(address) };
    },
    async removeAddress(request, ctx) {
      await removeAddress(deps, requestContext(ctx), request.addressId);
      return {};
    },
    async setDefaultAddress(request, ctx) {
      return { address: addressToProto(await setDefaultAddress(deps, requestContext(ctx), request.addressId)) };
    },
    async getPreferences(_request, ctx) {
      return { preferences: preferencesToProto(await getPreferences(deps, requestContext(ctx))) };
    },
    async updatePreferences(request, ctx) {
      const preferences = await updatePreferences(deps, requestContext(ctx), {
        locale: request.locale,
        choices: choicesFromProto(request.channelPreferences),
      });
      return { preferences: preferencesToProto(preferences) };
    },
  };
}
