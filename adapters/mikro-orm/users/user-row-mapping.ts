import type { InferEntity } from "@mikro-orm/core";
import type { TenantId } from "../../../core/kit/request-context.ts";
import type { Role } from "../../../core/kit/roles.ts";
import type { Address } from "../../../core/users/address-book.ts";
import type { Preferences } from "../../../core/users/preferences.ts";
import { searchText } from "../../../core/users/search-text.ts";
import type { UserSnapshot, UserStatus } from "../../../core/users/user.ts";
import type { UserAddressRecord } from "./user-address-record.ts";
import type { UserRecord } from "./user-record.ts";

export type UserRow = InferEntity<typeof UserRecord>;
export type AddressRow = InferEntity<typeof UserAddressRecord>;

/** Roles as `,a,b,`: a role filter is `LIKE '%,role,%'`. */
export const rolesColumn = (roles: readonly Role[]) => `,${roles.join(",")},`;

export function toUserRow(s: UserSnapshot): UserRow {
  return {
    tenantId: s.tenantId,
    id: s.id,
    email: s.email,
    normalizedEmail: s.normalizedEmail,
    emailVerified: s.emailVerified,
    displayName: s.displayName,
    searchName: searchText(s.displayName),
    phoneNumber: s.phoneNumber ?? null,
    status: s.status,
    disabledReason: s.disabledReason ?? null,
    roles: rolesColumn(s.roles),
    preferences: JSON.stringify(s.preferences),
    passwordSetAt: s.passwordSetAt ?? null,
    verificationSentAt: s.verificationSentAt ?? null,
    resetSentAt: s.resetSentAt ?? null,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
    version: s.version,
  };
}

export function toAddressRows(s: UserSnapshot): AddressRow[] {
  return s.addresses.map((a) => ({
    tenantId: s.tenantId,
    id: a.id,
    userId: s.id,
    label: a.label,
    recipientName: a.postalAddress.recipientName,
    addressLines: JSON.stringify(a.postalAddress.addressLines),
    locality: a.postalAddress.locality,
    administrativeArea: a.postalAddress.administrativeArea,
    postalCode: a.postalAddress.postalCode,
    countryCode: a.postalAddress.countryCode,
    phoneNumber: a.postalAddress.phoneNumber,
    isDefault: a.isDefault,
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
  }));
}

export function toSnapshot(row: UserRow, addresses: readonly AddressRow[]): UserSnapshot {
  return {
    tenantId: row.tenantId as TenantId,
    id: row.id,
    email: row.email,
    normalizedEmail: row.normalizedEmail,
    emailVerified: Boolean(row.emailVerified),
    displayName: row.displayName,
    phoneNumber: row.phoneNumber ?? undefined,
    status: row.status as UserStatus,
    disabledReason: row.disabledReason ?? undefined,
    roles: row.roles.split(",").filter(Boolean) as Role[],
    preferences: JSON.parse(row.preferences) as Preferences,
    addresses: addresses.map(toAddress).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1)),
    passwordSetAt: row.passwordSetAt ?? undefined,
    verificationSentAt: row.verificationSentAt ?? undefined,
    resetSentAt: row.resetSentAt ?? undefined,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    version: row.version,
  };
}

function toAddress(row: AddressRow): Address {
  return {
    id: row.id,
    label: row.label,
    postalAddress: {
      recipientName: row.recipientName,
      addressLines: JSON.parse(row.addressLines) as string[],
      locality: row.locality,
      administrativeArea: row.administrativeArea,
      postalCode: row.postalCode,
      countryCode: row.countryCode,
      phoneNumber: row.phoneNumber,
    },
    isDefault: Boolean(row.isDefault),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
