import type { Delivery } from "./deliveries.ts";

/** What notifications tells the world (topic notification-events): no content, no full address. */
export type NotificationEvent =
  | { readonly type: "NotificationSent"; readonly delivery: Delivery }
  | { readonly type: "NotificationFailed"; readonly delivery: Delivery; readonly error: string; readonly deadLettered: boolean };
