import type { ServiceLevel, ShipmentLine, ShippingAddress } from "./shipment.ts";

export interface LabelRequest {
  /** The same key gets the same label back: a retried or raced creation never buys two. */
  readonly idempotencyKey: string;
  readonly shipmentId: string;
  readonly orderId: string;
  readonly serviceLevel: ServiceLevel;
  readonly destination: ShippingAddress;
  readonly lines: readonly ShipmentLine[];
}

export interface Label {
  readonly trackingNumber: string;
  /** The carrier's tracking page; empty when it has none. */
  readonly trackingUrl: string;
  readonly estimatedDeliveryAt: Date | undefined;
}

/**
 * A parcel carrier. Calls take the caller's abort signal. A carrier that cannot be reached, or
 * refuses for now, rejects with an `unavailable` DomainError: the event that asked is retried.
 */
export interface Carrier {
  /** The adapter's name, stored on each shipment ("sandbox", ...). */
  readonly name: string;
  createLabel(request: LabelRequest, signal: AbortSignal): Promise<Label>;
  /** Voids a label not yet picked up; voiding a voided label is not an error. */
  voidLabel(request: { readonly trackingNumber: string; readonly idempotencyKey: string }, signal: AbortSignal): Promise<void>;
}
