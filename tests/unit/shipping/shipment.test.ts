import { describe, expect, it } from "vitest";
import {
  applyStatusUpdate,
  canMove,
  createShipment,
  parseAddress,
  parseLines,
  SHIPMENT_STATUSES,
  type Shipment,
  type ShipmentStatus,
} from "../../../core/shipping/shipment.ts";
import { DomainError } from "../../../core/kit/domain-error.ts";

const t0 = new Date("2026-11-01T10:00:00.000Z");
const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);
const address = {
  recipientName: "Ada Lovelace",
  addressLines: ["1 Analytical Way"],
  locality: "London",
  administrativeArea: "",
  postalCode: "N1 1AA",
  countryCode: "GB",
  phoneNumber: "",
};

function labelled(): Shipment {
  return createShipment({
    id: "s-1",
    orderId: "o-1",
    userId: "u-1",
    carrier: "sandbox",
    serviceLevel: "standard",
    trackingNumber: "SBX1",
    trackingUrl: "",
    destination: address,
    lines: [{ sku: "a", quantity: 1 }],
    estimatedDeliveryAt: at(5 * 24 * 60),
    now: t0,
  }).shipment;
}

/** The shipment after these reports in turn, each a minute after the one before. */
function through(...statuses: ShipmentStatus[]): Shipment {
  let shipment = labelled();
  statuses.forEach((status, i) => {
    const outcome = applyStatusUpdate(
      shipment,
      { status, occurredAt: at(i + 1), location: "", description: "", carrierEventId: `e-${i}` },
      at(i + 1),
    );
    if (outcome.kind === "changed") shipment = outcome.shipment;
  });
  return shipment;
}

const report = (s: Shipment, status: ShipmentStatus, minute: number, id = `r-${status}-${minute}`) =>
  applyStatusUpdate(
    s,
    { status, occurredAt: at(minute), location: "Memphis, TN", description: status, carrierEventId: id },
    at(60),
  );

describe("the status machine", () => {
  // from -> the statuses it may move to (a report at least as new as the status in force).
  const allowed: Record<ShipmentStatus, ShipmentStatus[]> = {
    label_created: ["picked_up", "in_transit", "out_for_delivery", "delivered", "exception", "cancelled"],
    picked_up: ["in_transit", "out_for_delivery", "delivered", "exception"],
    in_transit: ["out_for_delivery", "delivered", "exception"],
    out_for_delivery: ["delivered", "exception"],
    delivered: [],
    exception: ["in_transit", "out_for_delivery", "delivered"],
    cancelled: [],
  };
  for (const from of SHIPMENT_STATUSES) {
    for (const to of SHIPMENT_STATUSES) {
      const expected = allowed[from].includes(to);
      it(`${from} -> ${to}: ${expected ? "moves" : "refused"}`, () => {
        expect(canMove(from, to, true)).toBe(expected);
      });
    }
  }

  it("when an exception happened before pickup, then picked_up is still a recovery", () => {
    expect(canMove("exception", "picked_up", false)).toBe(true);
    expect(canMove("exception", "picked_up", true)).toBe(false);
  });
});

describe("applyStatusUpdate", () => {
  it("when the carrier first has the parcel, then OrderShipped, once", () => {
    const picked = report(labelled(), "picked_up", 1);
    expect(picked.kind).toBe("changed");
    if (picked.kind !== "changed") return;
    expect(picked.events.map((e) => e.type)).toEqual(["OrderShipped"]);
    expect(picked.shipment).toMatchObject({ status: "picked_up", shippedAt: at(1) });
    const moving = report(picked.shipment, "in_transit", 2);
    expect(moving.kind === "changed" && moving.events).toEqual([]);
  });

  it("when the first scan the carrier sends is delivered, then OrderShipped and OrderDelivered, in that order", () => {
    const outcome = report(labelled(), "delivered", 3);
    expect(outcome.kind === "changed" && outcome.events.map((e) => e.type)).toEqual(["OrderShipped", "OrderDelivered"]);
  });

  it("when an exception is reported, then ShipmentException with the carrier's text, and it may recover", () => {
    const outcome = report(through("picked_up"), "exception", 5);
    if (outcome.kind !== "changed") throw new Error("expected a change");
    expect(outcome.events).toMatchObject([{ type: "ShipmentException", description: "exception" }]);
    const recovered = report(outcome.shipment, "in_transit", 6);
    expect(recovered.kind === "changed" && recovered.shipment.status).toBe("in_transit");
    expect(recovered.kind === "changed" && recovered.events).toEqual([]);
  });

  it("when the same carrier event id comes again, then nothing changes", () => {
    const once = report(labelled(), "in_transit", 1, "same");
    if (once.kind !== "changed") throw new Error("expected a change");
    expect(report(once.shipment, "delivered", 2, "same")).toEqual({ kind: "unchanged" });
  });

  it("when the status in force is reported again under a new id, then the history grows and no event goes out", () => {
    const s = through("in_transit");
    const again = report(s, "in_transit", 4);
    expect(again.kind === "changed" && again.events).toEqual([]);
    expect(again.kind === "changed" && again.shipment.trackingEvents).toHaveLength(s.trackingEvents.length + 1);
  });

  it("when a newer report would move backwards, then FAILED_PRECONDITION", () => {
    const delivered = through("picked_up", "delivered");
    for (const status of ["in_transit", "picked_up", "exception", "label_created", "cancelled"] as const) {
      const error = (() => {
        try {
          report(delivered, status, 30);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).code).toBe("SHIPPING.ILLEGAL_TRANSITION");
    }
  });

  it("when an older report arrives late, then it joins the history in time order without moving the status back", () => {
    const delivered = through("picked_up", "in_transit", "delivered"); // delivered at minute 3
    const late = report(delivered, "out_for_delivery", 2);
    if (late.kind !== "changed") throw new Error("expected a change");
    expect(late.shipment.status).toBe("delivered");
    expect(late.events).toEqual([]);
    expect(late.shipment.trackingEvents.map((e) => e.status)).toEqual([
      "label_created",
      "picked_up",
      "in_transit",
      "out_for_delivery",
      "delivered",
    ]);
  });

  it("when an older report still moves the parcel forward, then it moves (progress is never taken back)", () => {
    const moving = through("picked_up", "in_transit"); // in transit at minute 2
    const late = report(moving, "delivered", 1);
    expect(late.kind === "changed" && late.shipment.status).toBe("delivered");
    expect(late.kind === "changed" && late.shipment.statusAt).toEqual(at(2));
  });

  it("when an older recovery arrives after a newer exception, then the exception stays", () => {
    const trouble = through("picked_up", "in_transit", "exception"); // exception at minute 3
    const late = report(trouble, "in_transit", 2);
    expect(late.kind === "changed" && late.shipment.status).toBe("exception");
  });
});

describe("parsing an order to ship", () => {
  it("when lines or the address are missing or malformed, then INVALID_ARGUMENT names the field", () => {
    const field = (work: () => unknown) => {
      try {
        work();
      } catch (e) {
        return (e as DomainError).field;
      }
      return "accepted";
    };
    expect(field(() => parseLines([]))).toBe("lines");
    expect(field(() => parseLines([{ sku: "a", quantity: 0 }]))).toBe("lines[0].quantity");
    expect(field(() => parseLines([{ sku: " a", quantity: 1 }]))).toBe("lines[0].sku");
    expect(field(() => parseAddress(undefined))).toBe("shipping_address");
    expect(field(() => parseAddress({ ...address, recipientName: " " }))).toBe("shipping_address.recipient_name");
    expect(field(() => parseAddress({ ...address, addressLines: [] }))).toBe("shipping_address.address_lines");
    expect(field(() => parseAddress({ ...address, locality: "" }))).toBe("shipping_address.locality");
    expect(field(() => parseAddress({ ...address, countryCode: "gb" }))).toBe("shipping_address.country_code");
    expect(field(() => parseAddress(address))).toBe("accepted");
  });
});
