import { describe, expect, it } from "vitest";
import { DomainError } from "../../../core/kit/domain-error.ts";
import { addMoney, money, multiplyMoney } from "../../../core/kit/money.ts";

describe("Money", () => {
  it("when two amounts of one currency are added, then the minor units add exactly", () => {
    expect(addMoney(money(1999, "EUR"), money(1, "EUR"))).toEqual({ amountMinor: 2000, currency: "EUR" });
  });

  it("when a line is multiplied by its quantity, then the result stays in whole minor units", () => {
    expect(multiplyMoney(money(333, "USD"), 3)).toEqual({ amountMinor: 999, currency: "USD" });
  });

  it("when the amount is fractional, then the error names the amount field", () => {
    const error = catchError(() => money(10.5, "EUR", "price"));
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).field).toBe("price.amount");
    expect((error as DomainError).kind).toBe("invalid");
  });

  it("when the currency is not an ISO code, then the error names the currency field", () => {
    expect((catchError(() => money(100, "euro", "price")) as DomainError).field).toBe("price.currency");
  });

  it("when currencies differ, then adding refuses rather than mixing them", () => {
    expect(() => addMoney(money(1, "EUR"), money(1, "USD"))).toThrow(/currency mismatch/);
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
}
