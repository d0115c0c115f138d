/**
 * The Kafka topics of the event contracts (`proto/shop/events/v1/*_events.proto` name each
 * topic in their header), in one place: the producing context and every consumer use these.
 */
export const TENANT_EVENTS_TOPIC = "tenant-events";
export const USER_EVENTS_TOPIC = "user-events";
export const PRODUCT_EVENTS_TOPIC = "product-events";
export const REVIEW_EVENTS_TOPIC = "review-events";
export const INVENTORY_EVENTS_TOPIC = "inventory-events";
export const ORDER_EVENTS_TOPIC = "order-events";
export const PAYMENT_EVENTS_TOPIC = "payment-events";
export const SHIPPING_EVENTS_TOPIC = "shipping-events";
export const NOTIFICATION_EVENTS_TOPIC = "notification-events";
