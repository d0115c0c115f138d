import { defineEntity, p } from "@mikro-orm/core";

/**
 * One shipment per (tenant, order): the unique keys on order id and tracking number are what make
 * a racing second creation fail and retry into a replay. Destination, lines and the tracking
 * history are JSON (the history is bounded at 200 reports, hence mediumtext).
 */
export const ShipmentRecord = defineEntity({
  name: "ShipmentRecord",
  tableName: "shipping_shipments",
  properties: {
    sequence: p.bigint("number").primary().autoincrement(),
    tenantId: p.string().length(63),
    shipmentId: p.string().length(64),
    orderId: p.string().length(64),
    userId: p.string().length(64),
    status: p.string().length(24),
    statusAt: p.datetime(3),
    carrier: p.string().length(32),
    serviceLevel: p.string().length(16),
    trackingNumber: p.string().length(64),
    trackingUrl: p.string().length(500),
    destination: p.text(),
    lines: p.text(),
    trackingEvents: p.text().columnType("mediumtext"),
    estimatedDeliveryAt: p.datetime(3).nullable(),
    shippedAt: p.datetime(3).nullable(),
    createdAt: p.datetime(3),
    updatedAt: p.datetime(3),
  },
  uniques: [
    { properties: ["tenantId", "shipmentId"] },
    { properties: ["tenantId", "orderId"] },
    { properties: ["tenantId", "trackingNumber"] },
  ],
  indexes: [
    { properties: ["tenantId", "sequence"] },
    { properties: ["tenantId", "userId", "sequence"] },
    { properties: ["tenantId", "status", "sequence"] },
  ],
});

export const shippingEntities = [ShipmentRecord];
