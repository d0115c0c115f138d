import { describe, expect, it } from "vitest";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { parseTenantId } from "../../../core/kit/request-context.ts";
import { encodeEvent } from "../../../adapters/protobuf/integration-event-encoding.ts";
import { OrderConfirmedSchema } from "../../../gen/shop/events/v1/order_events_pb.ts";
import {
  PasswordResetPurpose,
  PasswordResetRequestedSchema,
  UserRegisteredSchema,
} from "../../../gen/shop/events/v1/user_events_pb.ts";
import { formatMoney, notificationRequestOf } from "../../../services/notifications/notification-subscription.ts";

const scope = { tenantId: parseTenantId("acme"), correlationId: "c" };
const address = { topic: "t", key: "k", occurredAt: new Date(0) };
const options = { tenantId: "acme", linkBaseUrl: "https://shop.test/" };

describe("events to notification requests", () => {
  it("a reset for a new admin is an invitation, with an encoded link and the expiry", () => {
    const event = encodeEvent(
      PasswordResetRequestedSchema,
      {
        userId: "u-1",
        email: "a@b.test",
        displayName: "Ann",
        resetToken: "t+k/=",
        tokenExpireTime: timestampFromDate(new Date("2026-11-01T10:00:00Z")),
        purpose: PasswordResetPurpose.ADMIN_INVITATION,
      },
      address,
      scope,
    );
    expect(notificationRequestOf(event, options)).toEqual({
      type: "admin_invitation",
      userId: "u-1",
      email: "a@b.test",
      displayName: "Ann",
      locale: "",
      variables: {
        reset_token: "t+k/=",
        reset_url: "https://shop.test/reset-password?tenant=acme&token=t%2Bk%2F%3D",
        expire_time: "2026-11-01T10:00:00Z",
      },
    });
  });

  it("an order receipt carries the total from minor units, exactly", () => {
    const event = encodeEvent(
      OrderConfirmedSchema,
      { orderId: "o-1", userId: "u-1", total: { amountMinor: 123456789n, currencyCode: "JPY" } },
      address,
      scope,
    );
    expect(notificationRequestOf(event, options)?.variables).toMatchObject({ order_total: "JPY 123456789", line_count: "0" });
    expect(formatMoney({ amountMinor: 5n, currencyCode: "EUR" } as never)).toBe("EUR 0.05");
    expect(formatMoney({ amountMinor: -1250n, currencyCode: "USD" } as never)).toBe("-USD 12.50");
  });

  it("UserRegistered asks for nothing (the verification mail has its own event)", () => {
    expect(notificationRequestOf(encodeEvent(UserRegisteredSchema, { userId: "u" }, address, scope), options)).toBeUndefined();
  });
});
