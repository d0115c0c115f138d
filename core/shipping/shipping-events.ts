import type { Shipment } from "./shipment.ts";

/** What shipping tells other contexts; the service maps these to shop.events.v1 messages on `shipping-events`. */
export type ShippingEvent =
  | { readonly type: "ShipmentCreated"; readonly shipment: Shipment }
  | { readonly type: "OrderShipped"; readonly shipment: Shipment; readonly shippedAt: Date }
  | { readonly type: "OrderDelivered"; readonly shipment: Shipment; readonly deliveredAt: Date }
  | { readonly type: "ShipmentException"; readonly shipment: Shipment; readonly description: string };
