import { describe, expect, it } from "vitest";
import { maskIpAddress, parseIpAddress, sourceLimitKey, truncateUserAgent } from "../../../core/auth/login-source.ts";

describe("login source addresses", () => {
  it.each([
    ["203.0.113.7", "203.0.113.7"],
    [" 203.0.113.7 ", "203.0.113.7"],
    ["203.0.113.7:51234", "203.0.113.7"],
    ["2001:DB8::1", "2001:db8:0:0:0:0:0:1"],
    ["[2001:db8::1]:443", "2001:db8:0:0:0:0:0:1"],
    ["fe80::1%eth0", "fe80:0:0:0:0:0:0:1"],
    ["::ffff:198.51.100.4", "198.51.100.4"],
    ["::1", "0:0:0:0:0:0:0:1"],
  ])("when the address is %j, then it reads as %j", (raw, canonical) => {
    expect(parseIpAddress(raw)).toBe(canonical);
  });

  it.each(["", "unknown", "256.1.1.1", "1.2.3", "1::2::3", "2001:db8:0:0:0:0:0:0:1", "12345::", "<script>"])(
    "when the value %j is not an address, then it is unknown",
    (raw) => {
      expect(parseIpAddress(raw)).toBeUndefined();
    },
  );

  it("when masked, then the IPv4 host octet is zeroed and the IPv6 interface id dropped", () => {
    expect(maskIpAddress("203.0.113.7")).toBe("203.0.113.0");
    expect(maskIpAddress("2001:db8:1:2:3:4:5:6")).toBe("2001:db8:1:2::");
  });

  it("when limiting by source, then IPv4 counts per address and IPv6 per /64", () => {
    expect(sourceLimitKey("203.0.113.7")).toBe("203.0.113.7");
    expect(sourceLimitKey("2001:db8:1:2:3:4:5:6")).toBe(sourceLimitKey("2001:db8:1:2:ffff:1:1:1"));
    expect(sourceLimitKey(undefined)).toBeUndefined();
  });

  it("when the user agent is long, then it is cut to 200 characters", () => {
    expect(truncateUserAgent("x".repeat(500))).toHaveLength(200);
    expect(truncateUserAgent(null)).toBe("");
  });
});
