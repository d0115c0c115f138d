import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { unavailable } from "../../../core/kit/domain-error.ts";
import type { Channel, NotificationCategory } from "../../../core/notifications/notification-types.ts";
import type { Contact, ContactDirectory } from "../../../core/notifications/ports.ts";
import { defaultOptIn } from "../../../core/notifications/preference-rules.ts";
import {
  NotificationCategory as ProtoCategory,
  NotificationChannel,
  UserService,
  UserStatus,
} from "../../../gen/shop/users/v1/users_pb.ts";
import { CORRELATION_HEADER, TENANT_HEADER } from "../call-context.ts";

const CHANNEL: Readonly<Record<number, Channel>> = { [NotificationChannel.EMAIL]: "email", [NotificationChannel.SMS]: "sms" };
const CATEGORY: Readonly<Record<number, NotificationCategory>> = {
  [ProtoCategory.ORDER_UPDATES]: "order_updates",
  [ProtoCategory.SHIPPING_UPDATES]: "shipping_updates",
  [ProtoCategory.MARKETING]: "marketing",
};

/**
 * UserService.GetContactPreferences (internal, gRPC in the mesh, in-process embedded). NOT_FOUND
 * is an unknown user (undefined); anything else is UNAVAILABLE, and the event that needed the
 * contact is redelivered later rather than sent to the wrong place or not at all.
 */
export function createRpcContactDirectory(transport: Transport, options: { timeoutMs?: number } = {}): ContactDirectory {
  const client = createClient(UserService, transport);
  const timeoutMs = options.timeoutMs ?? 2_000;
  return {
    async find(ctx, userId): Promise<Contact | undefined> {
      try {
        const response = await client.getContactPreferences(
          { userId },
          { headers: { [TENANT_HEADER]: ctx.tenantId, [CORRELATION_HEADER]: ctx.correlationId }, signal: ctx.signal, timeoutMs },
        );
        const choices = new Map<string, boolean>();
        for (const p of response.preferences?.channelPreferences ?? []) {
          const channel = CHANNEL[p.channel];
          const category = CATEGORY[p.category];
          if (channel && category) choices.set(`${channel}/${category}`, p.optedIn);
        }
        return {
          userId: response.userId,
          email: response.email,
          phoneNumber: response.phoneNumber,
          displayName: response.displayName,
          locale: response.preferences?.locale ?? "",
          disabled: response.status !== UserStatus.ACTIVE,
          optedIn: (channel, category) => choices.get(`${channel}/${category}`) ?? defaultOptIn(channel, category),
        };
      } catch (error) {
        const failure = ConnectError.from(error);
        if (failure.code === Code.NotFound) return undefined;
        throw unavailable("USERS.UNAVAILABLE", "the users service cannot answer", failure);
      }
    },
  };
}
