/** Where a login comes from, as far as the transport can tell. */
export interface LoginSource {
  /** The client's IP address in canonical form; undefined when unknown. */
  readonly address: string | undefined;
  /** The User-Agent, cut to 200 characters. */
  readonly userAgent: string;
}

export const MAX_USER_AGENT_LENGTH = 200;

/**
 * An IP address in canonical form (IPv4 dotted decimal, IPv6 eight lower-case hex groups; an
 * IPv4-mapped IPv6 address becomes IPv4), or undefined when `value` is not one. Brackets, a zone
 * (`%eth0`) and an IPv4 port (`1.2.3.4:5678`) are dropped.
 */
export function parseIpAddress(value: string): string | undefined {
  let text = value.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(text);
  if (bracketed) text = bracketed[1] as string;
  text = text.replace(/%[\w.-]+$/, "");
  const v4 = ipv4Octets(text.replace(/:\d{1,5}$/, ""));
  if (v4) return v4.join(".");
  const v6 = ipv6Groups(text);
  if (!v6) return undefined;
  if (v6.slice(0, 5).every((g) => g === 0) && v6[5] === 0xffff) {
    return [(v6[6] as number) >> 8, (v6[6] as number) & 255, (v6[7] as number) >> 8, (v6[7] as number) & 255].join(".");
  }
  return v6.map((g) => g.toString(16)).join(":");
}

/**
 * The address with its host part hidden, as sessions show it: the last IPv4 octet zeroed, the
 * last 64 bits of IPv6 dropped (`2001:db8:1:2::`). Also the per-source limiter's key: one
 * IPv6 client easily holds a whole /64.
 */
export function maskIpAddress(canonical: string): string {
  if (canonical.includes(".")) return canonical.replace(/\.\d+$/, ".0");
  return `${canonical.split(":").slice(0, 4).join(":")}::`;
}

/** The key a source is limited by: the IPv4 address, or the IPv6 /64. */
export function sourceLimitKey(canonical: string | undefined): string | undefined {
  if (canonical === undefined) return undefined;
  return canonical.includes(".") ? canonical : maskIpAddress(canonical);
}

export function truncateUserAgent(value: string | null | undefined): string {
  return [...(value ?? "")].slice(0, MAX_USER_AGENT_LENGTH).join("");
}

function ipv4Octets(text: string): number[] | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!match) return undefined;
  const octets = match.slice(1).map(Number);
  return octets.every((octet) => octet <= 255) ? octets : undefined;
}

function ipv6Groups(value: string): number[] | undefined {
  let text = value.toLowerCase();
  if (!/^[0-9a-f:.]+$/.test(text) || !text.includes(":")) return undefined;
  if (text.includes(".")) {
    const cut = text.lastIndexOf(":");
    const v4 = ipv4Octets(text.slice(cut + 1));
    if (!v4) return undefined;
    const [a, b, c, d] = v4 as [number, number, number, number];
    text = `${text.slice(0, cut + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const groups = (part: string) =>
    part === "" ? [] : part.split(":").map((group) => (/^[0-9a-f]{1,4}$/.test(group) ? Number.parseInt(group, 16) : Number.NaN));
  const head = groups(halves[0] as string);
  if (halves.length === 1) return head.length === 8 && !head.some(Number.isNaN) ? head : undefined;
  const tail = groups(halves[1] as string);
  const fill = 8 - head.length - tail.length;
  if (fill < 1 || [...head, ...tail].some(Number.isNaN)) return undefined;
  return [...head, ...new Array<number>(fill).fill(0), ...tail];
}
