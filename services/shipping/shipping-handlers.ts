import type { ServiceImpl } from "@connectrpc/connect";
import type { ShippingDeps } from "../../core/shipping/shipping-deps.ts";
import { getShipment, listShipments, trackShipment, updateShipmentStatus } from "../../core/shipping/shipments.ts";
import { requestContext } from "../../adapters/rpc/call-context.ts";
import type { ShippingService } from "../../gen/shop/shipping/v1/shipping_pb.ts";
import { dateFromProto, shipmentToProto, statusFromProto, trackingToProto } from "./shipping-proto-mapping.ts";

/** Every method is public (customers, admins, anonymous tracking); none is internal. */
export const SHIPPING_INTERNAL_METHODS = [] as const;

/**
 * ShippingService: proto in, core use case, proto out. The tenant comes from the call (token,
 * or x-tenant-id), never from the body; who may call what is checked in the use cases.
 */
export function shippingHandlers(deps: ShippingDeps): ServiceImpl<typeof ShippingService> {
  return {
    async getShipment(request, ctx) {
      const lookup =
        request.lookup.case === "orderId" ? { orderId: request.lookup.value } : { shipmentId: request.lookup.value ?? "" };
      return { shipment: shipmentToProto(await getShipment(deps, requestContext(ctx), lookup)) };
    },
    async listShipments(request, ctx) {
      const page = await listShipments(deps, requestContext(ctx), {
        status: statusFromProto(request.status),
        pageSize: request.page?.pageSize ?? 0,
        pageToken: request.page?.pageToken ?? "",
      });
      return { shipments: page.items.map(shipmentToProto), page: { nextPageToken: page.nextPageToken ?? "" } };
    },
    async updateShipmentStatus(request, ctx) {
      const shipment = await updateShipmentStatus(deps, requestContext(ctx), request.shipmentId, {
        status: statusFromProto(request.status),
        occurredAt: dateFromProto(request.occurTime),
        location: request.location,
        description: request.description,
        carrierEventId: request.carrierEventId,
      });
      return { shipment: shipmentToProto(shipment) };
    },
    async trackShipment(request, ctx) {
      return trackingToProto(await trackShipment(deps, requestContext(ctx), request.trackingNumber));
    },
  };
}
