/** Roles carried in access tokens. */
export const PLATFORM_ADMIN = "platform-admin";
export const TENANT_ADMIN = "tenant-admin";
export const CUSTOMER = "customer";
