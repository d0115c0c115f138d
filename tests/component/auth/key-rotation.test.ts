import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { Code, ConnectError, createClient, type ServiceImpl } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { PlatformService } from "../../../gen/shop/platform/v1/platform_pb.ts";
import { createJoseAccessTokenIssuer } from "../../../adapters/jose/jose-access-token-issuer.ts";
import { createJoseAccessTokenVerifier } from "../../../adapters/jose/jose-access-token-verifier.ts";
import { remoteJwks } from "../../../adapters/jose/jose-remote-jwks.ts";
import { createJoseSigningKeyGenerator } from "../../../adapters/jose/jose-signing-key-generator.ts";
import { createMemoryTenantDirectory } from "../../../adapters/memory/memory-tenant-directory.ts";
import { createMikroOrmSigningKeyStore } from "../../../adapters/mikro-orm/auth/mikro-orm-signing-key-store.ts";
import { SigningKeyRecord } from "../../../adapters/mikro-orm/auth/signing-key-record.ts";
import { aesGcmKeyEncryption } from "../../../adapters/node-crypto/aes-gcm-key-encryption.ts";
import { createLogger } from "../../../adapters/observability/logger.ts";
import { requestContext } from "../../../adapters/rpc/call-context.ts";
import { JWKS_PATH, jwksHttpRoute } from "../../../adapters/rpc/jwks-http-route.ts";
import { jwtIdentityResolver } from "../../../adapters/rpc/jwt-identity-resolver.ts";
import { type HttpRoute, startRpcServer } from "../../../adapters/rpc/rpc-server.ts";
import { serviceHandlers } from "../../../adapters/rpc/service-handlers.ts";
import { signingKeyPolicy } from "../../../core/auth/signing-key-policy.ts";
import {
  currentSigningKey,
  maintainSigningKeys,
  publishedJwks,
  rotateSigningKeyNow,
  type SigningKeyRing,
} from "../../../core/auth/signing-key-ring.ts";
import { fixedClock } from "../../../core/kit/clock.ts";
import { isDomainError } from "../../../core/kit/domain-error.ts";
import { parseTenantId } from "../../../core/kit/request-context.ts";
import { openSqlTestDatabase } from "../../support/sql-test-database.ts";

// The auth side: keys on SQLite (the embedded default) behind the JWKS route, and a service
// elsewhere that verifies against that route. The ring's clock is fake (days pass in a test);
// tokens are signed and verified in real time, so a token of a retired key is still unexpired.
const MINUTE = 60_000;
const DAY = 1_440 * MINUTE;
const ISSUER = "https://auth.shopmesh.test";
const AUDIENCE = "shopmesh-test";
const logger = createLogger("key-rotation-test", "silent");
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function authProcess() {
  const db = await openSqlTestDatabase("sqlite", "key_rotation", [SigningKeyRecord]);
  cleanups.push(db.dispose);
  const clock = fixedClock(new Date());
  const ring: SigningKeyRing = {
    store: createMikroOrmSigningKeyStore(db.em, aesGcmKeyEncryption(randomBytes(32))),
    generator: createJoseSigningKeyGenerator(),
    clock,
    policy: signingKeyPolicy({
      rotateAfterMs: 30 * DAY,
      publishAheadMs: 15 * MINUTE,
      maxTokenTtlMs: 10 * MINUTE,
      leewayMs: MINUTE,
    }),
  };
  await maintainSigningKeys(ring);
  const fetches = { count: 0 };
  const route = jwksHttpRoute(() => publishedJwks(ring.store));
  const counting: HttpRoute = (req, res) => {
    fetches.count++;
    return route(req, res);
  };
  const server = await startRpcServer(
    { handlers: [], probes: [], logger, drainMs: 100, httpRoutes: { [JWKS_PATH]: counting } },
    0,
  );
  cleanups.push(() => server.close());
  const issuer = createJoseAccessTokenIssuer({
    signingKey: () => currentSigningKey(ring.store),
    issuer: ISSUER,
    audience: AUDIENCE,
    ttlSeconds: 600,
  });
  const sign = async () => (await issuer.issue({ tenantId: parseTenantId("acme"), userId: "user-1", roles: ["customer"] })).token;
  return { ring, clock, server, fetches, sign, jwksUrl: `${server.url}${JWKS_PATH}` };
}

/** A service's verifier, as a freshly started process has it: nothing cached yet. */
function freshVerifier(jwksUrl: string, options: { cooldownMs?: number; refreshAfterMs?: number } = {}) {
  return createJoseAccessTokenVerifier({ keys: remoteJwks(jwksUrl, options), issuer: ISSUER, audience: AUDIENCE, cache: false });
}

async function refusal(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isDomainError(error)) throw new Error(`expected a DomainError, got ${String(error)}`);
  return { kind: error.kind, message: error.message };
}

describe("signing key rotation without downtime", () => {
  it("when the JWKS is fetched, then it holds only public members with kid, alg and use, and may be cached", async () => {
    const auth = await authProcess();
    await rotateSigningKeyNow(auth.ring);

    const response = await fetch(auth.jwksUrl);
    const body = await response.text();

    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/jwk-set+json");
    expect(response.headers.get("cache-control")).toBe("public, max-age=300");
    const jwks = JSON.parse(body) as { keys: Record<string, string>[] };
    expect(jwks.keys).toHaveLength(2);
    expect(jwks.keys[0]?.kid).toBe((await currentSigningKey(auth.ring.store)).kid);
    for (const key of jwks.keys) {
      expect(Object.keys(key).sort()).toEqual(["alg", "crv", "kid", "kty", "use", "x"]);
      expect(key).toMatchObject({ kty: "OKP", crv: "Ed25519", alg: "EdDSA", use: "sig" });
    }
    expect(body).not.toMatch(/"d"|PRIVATE/);
    expect((await fetch(auth.jwksUrl, { method: "POST" })).status).toBe(405);
  });

  it("when keys rotate on schedule, then the successor is published before it signs and verifiers need no extra fetch", async () => {
    const auth = await authProcess();
    const before = await auth.sign();
    auth.clock.advance(30 * DAY - 15 * MINUTE);
    await maintainSigningKeys(auth.ring); // successor published, not signing
    // A service that loaded the JWKS now, and may not fetch again for an hour even on an unknown kid.
    const verifier = freshVerifier(auth.jwksUrl, { cooldownMs: 3_600_000, refreshAfterMs: 3_600_000 });
    await verifier.verify(before);
    const fetchesBefore = auth.fetches.count;

    auth.clock.advance(15 * MINUTE);
    expect(await maintainSigningKeys(auth.ring)).toMatchObject([{ kind: "rotate" }]);
    const after = await auth.sign();

    await expect(verifier.verify(after)).resolves.toMatchObject({ tenantId: "acme" });
    await expect(verifier.verify(before)).resolves.toMatchObject({ tenantId: "acme" });
    expect(auth.fetches.count).toBe(fetchesBefore);
  });

  it("when keys are rotated at once, then tokens signed before still verify, and new ones after one fetch on their unknown kid", async () => {
    const auth = await authProcess();
    const verifier = freshVerifier(auth.jwksUrl, { cooldownMs: 0 });
    const before = await auth.sign();
    await verifier.verify(before);

    await rotateSigningKeyNow(auth.ring);
    const after = await auth.sign();

    await expect(verifier.verify(after)).resolves.toMatchObject({ tenantId: "acme" });
    await expect(verifier.verify(before)).resolves.toMatchObject({ tenantId: "acme" });
    await expect(freshVerifier(auth.jwksUrl).verify(before)).resolves.toMatchObject({ tenantId: "acme" });
    expect(auth.fetches.count).toBe(3);
  });

  it("when a replaced key passes its verify-until time, then it is retired and a token it signed no longer verifies", async () => {
    const auth = await authProcess();
    const oldKid = (await currentSigningKey(auth.ring.store)).kid;
    const before = await auth.sign();
    await rotateSigningKeyNow(auth.ring);
    const after = await auth.sign();

    auth.clock.advance(10 * MINUTE + MINUTE - 1);
    expect(await maintainSigningKeys(auth.ring)).toEqual([]);
    await expect(freshVerifier(auth.jwksUrl).verify(before)).resolves.toMatchObject({ tenantId: "acme" });

    auth.clock.advance(1);
    expect(await maintainSigningKeys(auth.ring)).toEqual([{ kind: "retire", kid: oldKid }]);

    expect((await publishedJwks(auth.ring.store)).keys.map((k) => k.kid)).not.toContain(oldKid);
    expect(await refusal(freshVerifier(auth.jwksUrl).verify(before))).toEqual({
      kind: "unauthenticated",
      message: "invalid token",
    });
    await expect(freshVerifier(auth.jwksUrl).verify(after)).resolves.toMatchObject({ tenantId: "acme" });
  });

  it("when a service calls through RPC across a rotation, then old and new tokens pass, and a retired key's token is UNAUTHENTICATED", async () => {
    const auth = await authProcess();
    const impl: ServiceImpl<typeof PlatformService> = {
      ping: (_request, ctx) => ({ payload: requestContext(ctx).caller?.userId ?? "anonymous", servedBy: "t", version: "t" }),
      getInfo: () => ({ service: "t", version: "t", contexts: [] }),
    };
    const startService = async () => {
      const resolveIdentity = jwtIdentityResolver({
        verifier: freshVerifier(auth.jwksUrl, { cooldownMs: 0 }),
        tenants: createMemoryTenantDirectory(["acme"]),
      });
      const server = await startRpcServer(
        { handlers: [serviceHandlers(PlatformService, impl, { logger, resolveIdentity })], probes: [], logger, drainMs: 100 },
        0,
      );
      cleanups.push(() => server.close());
      return createClient(PlatformService, createConnectTransport({ baseUrl: server.url, httpVersion: "1.1" }));
    };
    const asCaller = (client: Awaited<ReturnType<typeof startService>>, token: string) =>
      client.ping({ payload: "" }, { headers: { authorization: `Bearer ${token}` } }).then(
        (r) => r.payload,
        (e: unknown) => ConnectError.from(e).code,
      );
    const service = await startService();
    const before = await auth.sign();
    expect(await asCaller(service, before)).toBe("user-1");

    await rotateSigningKeyNow(auth.ring);
    const after = await auth.sign();
    expect(await asCaller(service, after)).toBe("user-1");
    expect(await asCaller(service, before)).toBe("user-1");

    auth.clock.advance(11 * MINUTE);
    await maintainSigningKeys(auth.ring);
    const restarted = await startService();
    expect(await asCaller(restarted, before)).toBe(Code.Unauthenticated);
    expect(await asCaller(restarted, after)).toBe("user-1");
  });

  it("when auth cannot be reached at first use, then UNAVAILABLE; when it goes away later, then the keys in hand keep verifying", async () => {
    const auth = await authProcess();
    const token = await auth.sign();
    const failures: unknown[] = [];
    const verifier = createJoseAccessTokenVerifier({
      keys: remoteJwks(auth.jwksUrl, { refreshAfterMs: 0, timeoutMs: 1_000, onRefreshError: (e) => failures.push(e) }),
      issuer: ISSUER,
      audience: AUDIENCE,
      cache: false,
    });
    await verifier.verify(token);

    await auth.server.close();
    await verifier.verify(token); // starts a background refresh that fails
    await new Promise((resolve) => setTimeout(resolve, 200));

    await expect(verifier.verify(token)).resolves.toMatchObject({ tenantId: "acme" });
    expect(failures.length).toBeGreaterThan(0);
    expect(await refusal(freshVerifier(auth.jwksUrl, { cooldownMs: 0 }).verify(token))).toMatchObject({ kind: "unavailable" });
  });
});
