import type { JsonWebKeySet } from "../../core/auth/jwks.ts";
import type { HttpRoute } from "./rpc-server.ts";

export const JWKS_PATH = "/.well-known/jwks.json";

/**
 * `GET /.well-known/jwks.json` on the auth process: the public keys as a JWK Set, cacheable
 * for `maxAgeSeconds` (keep it under the key ring's publishAhead). Mount with
 * `httpRoutes: { [JWKS_PATH]: jwksHttpRoute(() => publishedJwks(store)) }`.
 */
export function jwksHttpRoute(jwks: () => Promise<JsonWebKeySet>, maxAgeSeconds = 300): HttpRoute {
  return async (req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain" }).end("method not allowed\n");
      return;
    }
    const body = JSON.stringify(await jwks());
    res
      .writeHead(200, {
        "content-type": "application/jwk-set+json",
        "cache-control": `public, max-age=${maxAgeSeconds}`,
        "content-length": String(Buffer.byteLength(body)),
      })
      .end(req.method === "HEAD" ? undefined : body);
  };
}
