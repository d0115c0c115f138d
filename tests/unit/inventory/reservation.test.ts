import { describe, expect, it } from "vitest";
import { fixedClock } from "../../../core/kit/clock.ts";
import {
  allocate,
  decideCommit,
  decideExpiry,
  decideRelease,
  isDueForExpiry,
  type Reservation,
} from "../../../core/inventory/reservation.ts";
import { lockOrder, type StockLevel } from "../../../core/inventory/stock-level.ts";
import { stockSignals } from "../../../core/inventory/stock-signals.ts";

const at = new Date("2026-11-01T10:00:00.000Z");
const level = (sku: string, locationId: string, onHand: number, reserved = 0): StockLevel => ({
  sku,
  locationId,
  onHand,
  reserved,
  version: 1,
  updatedAt: at,
});
function held(overrides: Partial<Reservation> = {}): Reservation {
  return {
    id: "r-1",
    orderId: "o-1",
    status: "reserved",
    lines: [{ sku: "a", locationId: "main", quantity: 1 }],
    shortLines: [],
    createdAt: at,
    expiresAt: new Date(at.getTime() + 60_000),
    updatedAt: at,
    releaseReason: undefined,
    ...overrides,
  };
}

describe("allocate", () => {
  it("when a line needs more than one location, then it is split in location order", () => {
    const result = allocate([{ sku: "a", quantity: 5 }], [level("a", "z", 10), level("a", "b", 4, 1)]);
    expect(result).toEqual({
      kind: "reserved",
      lines: [
        { sku: "a", locationId: "b", quantity: 3 },
        { sku: "a", locationId: "z", quantity: 2 },
      ],
    });
  });

  it("when any line is short, then nothing is held and every short line is named", () => {
    const result = allocate(
      [
        { sku: "a", quantity: 1 },
        { sku: "b", quantity: 3 },
        { sku: "c", quantity: 1 },
      ],
      [level("a", "m", 1), level("b", "m", 2)],
    );
    expect(result).toEqual({
      kind: "rejected",
      shortLines: [
        { sku: "b", requestedQuantity: 3, availableQuantity: 2 },
        { sku: "c", requestedQuantity: 1, availableQuantity: 0 },
      ],
    });
  });

  it("when SKUs come in any order, then the lock order is one fixed order", () => {
    expect(lockOrder(["b", "a", "B", "a"])).toEqual(["B", "a", "b"]);
  });
});

describe("reservation decisions with a controllable clock", () => {
  it("when the hold has not run out, then expiry leaves it; at expire time it expires", () => {
    const clock = fixedClock(at);
    const r = held();
    clock.advance(59_999);
    expect(isDueForExpiry(r, clock.now())).toBe(false);
    expect(decideExpiry(r, clock.now())).toBe("unchanged");
    clock.advance(1);
    expect(decideExpiry(r, clock.now())).toMatchObject({ status: "expired" });
  });

  it("when committed, then expiry and a second commit change nothing, and release is refused", () => {
    const committed = held({ status: "committed" });
    expect(decideExpiry(committed, new Date(at.getTime() + 3_600_000))).toBe("unchanged");
    expect(decideCommit(committed, at)).toBe("unchanged");
    expect(() => decideRelease(committed, "order_cancelled", at)).toThrow(/committed/);
  });

  it("when released, expired or rejected, then release is a no-op and commit is refused", () => {
    for (const status of ["released", "expired", "rejected"] as const) {
      expect(decideRelease(held({ status }), "order_cancelled", at)).toBe("unchanged");
      expect(() => decideCommit(held({ status }), at)).toThrow(/is /);
    }
  });
});

describe("stock signals", () => {
  it("when available crosses the threshold and zero, then StockLow and StockAvailabilityChanged are raised once", () => {
    const thresholds = new Map([["a", 5]]);
    expect(stockSignals(["a"], [level("a", "m", 10)], [level("a", "m", 10, 5)], thresholds, at).map((e) => e.type)).toEqual([
      "StockLow",
    ]);
    expect(stockSignals(["a"], [level("a", "m", 10, 5)], [level("a", "m", 10, 6)], thresholds, at)).toEqual([]);
    expect(stockSignals(["a"], [level("a", "m", 10, 6)], [level("a", "m", 10, 10)], thresholds, at).map((e) => e.type)).toEqual([
      "StockAvailabilityChanged",
    ]);
  });
});
