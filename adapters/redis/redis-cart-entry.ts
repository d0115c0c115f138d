import type { CartSnapshot } from "../../core/cart/cart.ts";
import { decodeCartSnapshot, encodeCartSnapshot } from "../../core/cart/cart-view.ts";

/**
 * A cart as Redis holds it: `<version>|<run_id of the server written to>|<cart JSON>`. The
 * version lets a write refuse to replace a newer copy; the run_id tells a copy written to this
 * server process from one it merely loaded (a restore from an older snapshot, a promoted replica).
 */
export function encodeCartEntry(snapshot: CartSnapshot, runId: string): string {
  return `${snapshot.version}|${runId}|${encodeCartSnapshot(snapshot)}`;
}

/** The entry's cart when it was written to the server `runId`; undefined otherwise (or for another format). */
export function decodeCartEntry(text: string, runId: string): CartSnapshot | undefined {
  const match = /^(\d+)\|(\w*)\|/.exec(text);
  if (!match || match[2] !== runId) return undefined;
  return decodeCartSnapshot(text.slice(match[0].length));
}

/**
 * SET key entry PX ttl, unless the key holds a newer version, or the same version written to
 * this same server (ARGV: version, run_id, entry, ttl ms). A re-warm that read the database
 * before a concurrent save committed can then never put the older cart back over the newer one.
 */
export const PUT_CART_UNLESS_NEWER = `
local current = redis.call('GET', KEYS[1])
if current then
  local version, server = string.match(current, '^(%d+)|(%w*)|')
  if version then
    version = tonumber(version)
    local mine = tonumber(ARGV[1])
    if version > mine or (version == mine and server == ARGV[2]) then return 0 end
  end
end
redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4])
return 1
`;
