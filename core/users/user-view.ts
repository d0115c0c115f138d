import type { Role } from "../kit/roles.ts";
import type { UserSnapshot, UserStatus } from "./user.ts";

/** A user as the RPCs answer it (shop.users.v1.User): no addresses, tokens or internals. */
export interface UserView {
  readonly id: string;
  readonly email: string;
  readonly emailVerified: boolean;
  readonly displayName: string;
  readonly phoneNumber: string | undefined;
  readonly status: UserStatus;
  readonly roles: readonly Role[];
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export function toView(user: UserSnapshot): UserView {
  return {
    id: user.id,
    email: user.email,
    emailVerified: user.emailVerified,
    displayName: user.displayName,
    phoneNumber: user.phoneNumber,
    status: user.status,
    roles: user.roles,
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
  };
}

/** For stores that keep text (the idempotency record, the profile cache). */
export function encodeUserView(view: UserView): string {
  return JSON.stringify(view);
}

export function decodeUserView(text: string): UserView {
  const raw = JSON.parse(text) as Omit<UserView, "createdAt" | "updatedAt" | "phoneNumber"> & {
    createdAt: string;
    updatedAt: string;
    phoneNumber?: string;
  };
  if (typeof raw.id !== "string" || typeof raw.email !== "string" || !Array.isArray(raw.roles)) {
    throw new TypeError("not a stored user view");
  }
  return {
    id: raw.id,
    email: raw.email,
    emailVerified: raw.emailVerified,
    displayName: raw.displayName,
    phoneNumber: raw.phoneNumber,
    status: raw.status,
    roles: raw.roles,
    createdAt: new Date(raw.createdAt),
    updatedAt: new Date(raw.updatedAt),
  };
}
