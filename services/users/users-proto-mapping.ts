import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { invalidField } from "../../core/kit/domain-error.ts";
import { type Role as RoleName, Roles } from "../../core/kit/roles.ts";
import type { Address } from "../../core/users/address-book.ts";
import type { PostalAddress } from "../../core/users/postal-address.ts";
import type { ChannelChoice, NotificationCategory, NotificationChannel } from "../../core/users/preferences.ts";
import type { UserStatus as StatusName } from "../../core/users/user.ts";
import type { PreferencesView } from "../../core/users/user-preferences.ts";
import type { UserView } from "../../core/users/user-view.ts";
import type { PostalAddress as ProtoPostalAddress, PostalAddressSchema } from "../../gen/shop/common/v1/address_pb.ts";
import {
  type AddressSchema,
  type ChannelPreference,
  NotificationCategory as ProtoCategory,
  NotificationChannel as ProtoChannel,
  type PreferencesSchema,
  Role,
  type UserSchema,
  UserStatus,
} from "../../gen/shop/users/v1/users_pb.ts";

/** Proto <-> core for UserService: the only place that knows both shapes. */

const ROLE_TO_PROTO: Record<RoleName, Role> = {
  customer: Role.CUSTOMER,
  tenant_admin: Role.TENANT_ADMIN,
  platform_operator: Role.PLATFORM_OPERATOR,
};
const ROLE_FROM_PROTO: Partial<Record<number, RoleName>> = {
  [Role.CUSTOMER]: Roles.customer,
  [Role.TENANT_ADMIN]: Roles.tenantAdmin,
  [Role.PLATFORM_OPERATOR]: Roles.platformOperator,
};
const CHANNEL_TO_PROTO: Record<NotificationChannel, ProtoChannel> = { email: ProtoChannel.EMAIL, sms: ProtoChannel.SMS };
const CATEGORY_TO_PROTO: Record<NotificationCategory, ProtoCategory> = {
  order_updates: ProtoCategory.ORDER_UPDATES,
  shipping_updates: ProtoCategory.SHIPPING_UPDATES,
  marketing: ProtoCategory.MARKETING,
};

export function roleFromProto(role: Role, field = "role"): RoleName {
  const name = ROLE_FROM_PROTO[role];
  if (!name) throw invalidField(field, "is not a known role");
  return name;
}

export function roleToProto(role: RoleName): Role {
  return ROLE_TO_PROTO[role];
}

export function statusToProto(status: StatusName): UserStatus {
  return status === "active" ? UserStatus.ACTIVE : UserStatus.DISABLED;
}

export function statusFromProto(status: UserStatus): StatusName | undefined {
  if (status === UserStatus.ACTIVE) return "active";
  if (status === UserStatus.DISABLED) return "disabled";
  return undefined;
}

export function userToProto(user: UserView): MessageInitShape<typeof UserSchema> {
  return {
    userId: user.id,
    email: user.email,
    emailVerified: user.emailVerified,
    displayName: user.displayName,
    phoneNumber: user.phoneNumber ?? "",
    status: statusToProto(user.status),
    roles: user.roles.map(roleToProto),
    createTime: timestampFromDate(user.createdAt),
    updateTime: timestampFromDate(user.updatedAt),
  };
}

export function postalFromProto(postal: ProtoPostalAddress): PostalAddress {
  return {
    recipientName: postal.recipientName,
    addressLines: postal.addressLines,
    locality: postal.locality,
    administrativeArea: postal.administrativeArea,
    postalCode: postal.postalCode,
    countryCode: postal.countryCode,
    phoneNumber: postal.phoneNumber,
  };
}

function postalToProto(postal: PostalAddress): MessageInitShape<typeof PostalAddressSchema> {
  return { ...postal, addressLines: [...postal.addressLines] };
}

export function addressToProto(address: Address): MessageInitShape<typeof AddressSchema> {
  return {
    addressId: address.id,
    label: address.label,
    postalAddress: postalToProto(address.postalAddress),
    isDefault: address.isDefault,
    createTime: timestampFromDate(address.createdAt),
    updateTime: timestampFromDate(address.updatedAt),
  };
}

export function preferencesToProto(preferences: PreferencesView): MessageInitShape<typeof PreferencesSchema> {
  return {
    locale: preferences.locale,
    channelPreferences: preferences.choices.map((c) => ({
      channel: CHANNEL_TO_PROTO[c.channel],
      category: CATEGORY_TO_PROTO[c.category],
      optedIn: c.optedIn,
    })),
  };
}

export function choicesFromProto(choices: readonly ChannelPreference[]): ChannelChoice[] {
  return choices.map((c, i) => {
    const channel = (Object.keys(CHANNEL_TO_PROTO) as NotificationChannel[]).find((k) => CHANNEL_TO_PROTO[k] === c.channel);
    const category = (Object.keys(CATEGORY_TO_PROTO) as NotificationCategory[]).find((k) => CATEGORY_TO_PROTO[k] === c.category);
    if (!channel) throw invalidField(`channel_preferences[${i}].channel`, "is not a known channel");
    if (!category) throw invalidField(`channel_preferences[${i}].category`, "is not a known category");
    return { channel, category, optedIn: c.optedIn };
  });
}
