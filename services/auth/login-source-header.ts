import { type LoginSource, parseIpAddress, truncateUserAgent } from "../../core/auth/login-source.ts";

export const FORWARDED_FOR_HEADER = "x-forwarded-for";

/**
 * Where a login comes from. The RPC plumbing does not hand handlers the peer's socket address,
 * and in the mesh that would be the sidecar's anyway: the client address is what the trusted
 * proxies appended to `x-forwarded-for`, read `trustedHops` entries from the right. Entries
 * left of it were written by the client and are ignored (else every guess could claim a new
 * address). No header, too few entries, or not an IP: the source is unknown, and only the
 * per-account limit applies.
 */
export function loginSourceOf(header: Headers, trustedHops: number): LoginSource {
  return {
    address: clientAddress(header.get(FORWARDED_FOR_HEADER), trustedHops),
    userAgent: truncateUserAgent(header.get("user-agent")),
  };
}

function clientAddress(forwardedFor: string | null, trustedHops: number): string | undefined {
  if (!forwardedFor || trustedHops < 1) return undefined;
  const entries = forwardedFor
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  const entry = entries[entries.length - trustedHops];
  return entry === undefined ? undefined : parseIpAddress(entry);
}
