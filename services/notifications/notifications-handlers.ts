import type { ServiceImpl } from "@connectrpc/connect";
import type { NotificationsDeps } from "../../core/notifications/notifications-deps.ts";
import {
  deleteTemplate,
  listDeadLetters,
  listDeliveries,
  listTemplates,
  retryDeadLetter,
  upsertTemplate,
} from "../../core/notifications/notification-admin.ts";
import { invalidField } from "../../core/kit/domain-error.ts";
import { requestContext } from "../../adapters/rpc/call-context.ts";
import type { NotificationService } from "../../gen/shop/notifications/v1/notifications_pb.ts";
import {
  channelFromProto,
  deadLetterToProto,
  deliveryToProto,
  statusFromProto,
  templateToProto,
  typeFromProto,
} from "./notification-proto-mapping.ts";

const required = <T>(value: T | undefined, field: string): T => {
  if (value === undefined) throw invalidField(field, "is required");
  return value;
};

/** NotificationService: every RPC is for tenant admins (checked in the use cases); the tenant comes from the token. */
export function notificationsHandlers(deps: NotificationsDeps): ServiceImpl<typeof NotificationService> {
  return {
    async upsertTemplate(request, ctx) {
      const template = await upsertTemplate(deps, requestContext(ctx), {
        type: required(typeFromProto(request.type), "type"),
        channel: required(channelFromProto(request.channel), "channel"),
        locale: request.locale,
        subject: request.subject,
        bodyText: request.bodyText,
        bodyHtml: request.bodyHtml,
        expectedVersion: Number(request.expectedVersion),
      });
      return { template: templateToProto(template) };
    },
    async listTemplates(request, ctx) {
      const type = typeFromProto(request.type);
      const channel = channelFromProto(request.channel);
      const page = await listTemplates(deps, requestContext(ctx), {
        ...(type ? { type } : {}),
        ...(channel ? { channel } : {}),
        includeBuiltIn: request.includeBuiltIn,
        pageSize: request.page?.pageSize ?? 0,
        pageToken: request.page?.pageToken ?? "",
      });
      return { templates: page.items.map(templateToProto), page: { nextPageToken: page.nextPageToken ?? "" } };
    },
    async deleteTemplate(request, ctx) {
      await deleteTemplate(deps, requestContext(ctx), {
        type: required(typeFromProto(request.type), "type"),
        channel: required(channelFromProto(request.channel), "channel"),
        locale: request.locale,
      });
      return {};
    },
    async listDeliveries(request, ctx) {
      const page = await listDeliveries(deps, requestContext(ctx), {
        userId: request.userId,
        sourceEventId: request.sourceEventId,
        status: statusFromProto(request.status),
        type: typeFromProto(request.type),
        pageSize: request.page?.pageSize ?? 0,
        pageToken: request.page?.pageToken ?? "",
      });
      return { deliveries: page.items.map(deliveryToProto), page: { nextPageToken: page.nextPageToken ?? "" } };
    },
    async listDeadLetters(request, ctx) {
      const page = await listDeadLetters(deps, requestContext(ctx), {
        includeRetried: request.includeRetried,
        pageSize: request.page?.pageSize ?? 0,
        pageToken: request.page?.pageToken ?? "",
      });
      return {
        deadLetters: page.items.map((item) => deadLetterToProto(item.deadLetter, item.delivery)),
        page: { nextPageToken: page.nextPageToken ?? "" },
      };
    },
    async retryDeadLetter(request, ctx) {
      const result = await retryDeadLetter(deps, requestContext(ctx), request.deadLetterId);
      return { deadLetter: deadLetterToProto(result.deadLetter, result.failed), delivery: deliveryToProto(result.delivery) };
    },
  };
}
