import { describe, expect, it } from "vitest";
import { loginSourceOf } from "../../../services/auth/login-source-header.ts";

const headers = (forwardedFor?: string, userAgent?: string) =>
  new Headers({
    ...(forwardedFor === undefined ? {} : { "x-forwarded-for": forwardedFor }),
    ...(userAgent ? { "user-agent": userAgent } : {}),
  });

describe("the login source from x-forwarded-for", () => {
  it("when one proxy is trusted, then the rightmost entry is the client, whatever the client wrote before it", () => {
    expect(loginSourceOf(headers("6.6.6.6, 1.1.1.1, 203.0.113.9"), 1).address).toBe("203.0.113.9");
    expect(loginSourceOf(headers("203.0.113.9"), 1).address).toBe("203.0.113.9");
  });

  it("when two proxies are trusted, then the second entry from the right is the client", () => {
    expect(loginSourceOf(headers("6.6.6.6, 203.0.113.9, 10.0.0.1"), 2).address).toBe("203.0.113.9");
  });

  it("when the header is missing, has too few entries, is not an address, or no proxy is trusted, then the source is unknown", () => {
    expect(loginSourceOf(headers(), 1).address).toBeUndefined();
    expect(loginSourceOf(headers("203.0.113.9"), 2).address).toBeUndefined();
    expect(loginSourceOf(headers("unknown"), 1).address).toBeUndefined();
    expect(loginSourceOf(headers("203.0.113.9"), 0).address).toBeUndefined();
    expect(loginSourceOf(headers(" , "), 1).address).toBeUndefined();
  });

  it("when an IPv6 client comes through, then its address is canonical", () => {
    expect(loginSourceOf(headers("2001:DB8::7"), 1).address).toBe("2001:db8:0:0:0:0:0:7");
  });

  it("when a user agent is sent, then it is kept, cut to 200 characters", () => {
    expect(loginSourceOf(headers(undefined, "Mozilla/5.0"), 1).userAgent).toBe("Mozilla/5.0");
    expect(loginSourceOf(headers(undefined, "x".repeat(300)), 1).userAgent).toHaveLength(200);
  });
});
