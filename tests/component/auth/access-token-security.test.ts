import { createPublicKey } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, ConnectError, createClient, type Client, type ServiceImpl } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { generateKeyPair, SignJWT } from "jose";
import { PlatformService } from "../../../gen/shop/platform/v1/platform_pb.ts";
import { createJoseAccessTokenVerifier } from "../../../adapters/jose/jose-access-token-verifier.ts";
import { localJwks } from "../../../adapters/jose/jose-local-jwks.ts";
import { createMemoryTenantDirectory } from "../../../adapters/memory/memory-tenant-directory.ts";
import { createLogger } from "../../../adapters/observability/logger.ts";
import { requestContext } from "../../../adapters/rpc/call-context.ts";
import { createGrpcTransport } from "../../../adapters/rpc/grpc-transport.ts";
import { jwtIdentityResolver } from "../../../adapters/rpc/jwt-identity-resolver.ts";
import { type RunningRpcServer, startRpcServer } from "../../../adapters/rpc/rpc-server.ts";
import { serviceHandlers } from "../../../adapters/rpc/service-handlers.ts";
import { publishedJwks } from "../../../core/auth/signing-key-ring.ts";
import { requireCaller, requireRole, requireSelfOrRole } from "../../../core/kit/caller-guards.ts";
import { parseTenantId } from "../../../core/kit/request-context.ts";
import { Roles } from "../../../core/kit/roles.ts";
import { AUDIENCE, editClaims, headerOf, ISSUER, rawJwt, tokenKit, validClaims } from "./support/token-kit.ts";

// A service whose methods need nothing, a caller, a role, or the user itself: the payload picks.
const impl: ServiceImpl<typeof PlatformService> = {
  ping(request, handlerCtx) {
    const ctx = requestContext(handlerCtx);
    const [what, arg] = request.payload.split(":");
    if (what === "callers-only") requireCaller(ctx);
    if (what === "admins-only") requireRole(ctx, Roles.tenantAdmin);
    if (what === "self-or-admin") requireSelfOrRole(ctx, arg ?? "", Roles.tenantAdmin);
    const who = ctx.caller ? `${ctx.caller.userId}[${ctx.caller.roles.join(",")}]` : "anonymous";
    return { payload: `${ctx.tenantId} ${who}`, servedBy: "test", version: "t" };
  },
  getInfo: () => ({ service: "test", version: "t", contexts: [] }),
};

let kit: Awaited<ReturnType<typeof tokenKit>>;
let server: RunningRpcServer;
const tenants = createMemoryTenantDirectory(["acme", "globex", "initech"]);
const rejections: string[] = [];

beforeAll(async () => {
  kit = await tokenKit();
  const verifier = createJoseAccessTokenVerifier({
    keys: localJwks(() => publishedJwks(kit.ring.store)),
    issuer: ISSUER,
    audience: AUDIENCE,
    onRejected: (reason) => rejections.push(reason),
  });
  const logger = createLogger("auth-security-test", "silent");
  server = await startRpcServer(
    {
      handlers: [serviceHandlers(PlatformService, impl, { logger, resolveIdentity: jwtIdentityResolver({ verifier, tenants }) })],
      probes: [],
      logger,
    },
    0,
  );
});

afterAll(async () => {
  await server?.close();
});

const transports = {
  grpc: () => createGrpcTransport(`127.0.0.1:${server.port}`),
  connect: () => createConnectTransport({ baseUrl: server.url, httpVersion: "1.1" }),
};

describe.each(Object.keys(transports) as (keyof typeof transports)[])("access tokens over %s", (transport) => {
  let client: Client<typeof PlatformService>;
  beforeAll(() => {
    client = createClient(PlatformService, transports[transport]());
  });

  const call = async (payload: string, headers: Record<string, string> = {}) => {
    try {
      return (await client.ping({ payload }, { headers })).payload;
    } catch (error) {
      return ConnectError.from(error);
    }
  };
  const withToken = (token: string, payload = "whoami", headers: Record<string, string> = {}) =>
    call(payload, { authorization: `Bearer ${token}`, ...headers });
  const customerToken = async (tenant = "acme") =>
    (await kit.issuer.issue({ tenantId: parseTenantId(tenant), userId: "user-1", roles: [Roles.customer], sessionId: "s-1" }))
      .token;

  /** The call was refused as UNAUTHENTICATED with no detail beyond the two allowed messages. */
  const expectUnauthenticated = (result: string | ConnectError, message = "invalid token") => {
    expect(result).toBeInstanceOf(ConnectError);
    expect((result as ConnectError).code).toBe(Code.Unauthenticated);
    expect((result as ConnectError).rawMessage).toBe(message);
  };

  it("when a valid token is sent, then the handler sees its tenant, user and roles", async () => {
    expect(await withToken(await customerToken())).toBe("acme user-1[customer]");
    expect(await withToken(await customerToken(), "whoami", { "x-tenant-id": "acme" })).toBe("acme user-1[customer]");
  });

  it("when the token says alg none (unsigned), then UNAUTHENTICATED", async () => {
    const kid = headerOf(await customerToken()).kid;
    for (const alg of ["none", "None", "NONE"]) {
      expectUnauthenticated(await withToken(rawJwt({ alg, kid, typ: "at+jwt" }, validClaims())));
    }
  });

  it("when the token is signed by another key under our kid or an unknown kid, then UNAUTHENTICATED", async () => {
    const kid = headerOf(await customerToken()).kid as string;
    const stranger = await generateKeyPair("EdDSA");
    for (const header of [{ kid }, { kid: "not-a-key-of-ours" }, {}]) {
      const forged = await new SignJWT(validClaims())
        .setProtectedHeader({ alg: "EdDSA", typ: "at+jwt", ...header })
        .sign(stranger.privateKey);
      expectUnauthenticated(await withToken(forged));
    }
  });

  it("when the token has expired, then UNAUTHENTICATED saying so", async () => {
    const expired = await kit
      .issuerShiftedBy(-(600 + 60) * 1_000)
      .issue({ tenantId: parseTenantId("acme"), userId: "user-1", roles: [] });
    expectUnauthenticated(await withToken(expired.token), "token expired");
  });

  it("when the token is not valid yet (nbf in the future), then UNAUTHENTICATED", async () => {
    const now = Math.floor(Date.now() / 1_000);
    expectUnauthenticated(await withToken(await kit.signWithRingKey(validClaims({ nbf: now + 3_600 }))));
    const fromTheFuture = await kit.issuerShiftedBy(3_600_000).issue({ tenantId: parseTenantId("acme"), userId: "u", roles: [] });
    expectUnauthenticated(await withToken(fromTheFuture.token));
  });

  it("when the issuer or the audience is another one, then UNAUTHENTICATED", async () => {
    expectUnauthenticated(await withToken(await kit.signWithRingKey(validClaims({ iss: "https://evil.example" }))));
    expectUnauthenticated(await withToken(await kit.signWithRingKey(validClaims({ aud: "another-api" }))));
  });

  it("when the tenant or the roles of a valid token are edited, then the signature breaks: UNAUTHENTICATED", async () => {
    const token = await customerToken();
    expectUnauthenticated(await withToken(editClaims(token, { tid: "globex" })));
    expectUnauthenticated(await withToken(editClaims(token, { roles: [Roles.tenantAdmin] })));
    expectUnauthenticated(await withToken(editClaims(token, { sub: "user-2" })));
  });

  it("when a token is forged with HS256 and the public key as the secret, then UNAUTHENTICATED", async () => {
    const kid = headerOf(await customerToken()).kid as string;
    const jwk = (await publishedJwks(kit.ring.store)).keys[0]!;
    const pem = createPublicKey({ key: { ...jwk }, format: "jwk" }).export({ type: "spki", format: "pem" }) as string;
    const secrets = [
      new TextEncoder().encode(pem),
      new TextEncoder().encode(JSON.stringify(jwk)),
      Buffer.from(jwk.x, "base64url"),
    ];
    for (const secret of secrets) {
      const forged = await new SignJWT(validClaims()).setProtectedHeader({ alg: "HS256", kid, typ: "at+jwt" }).sign(secret);
      expectUnauthenticated(await withToken(forged));
    }
  });

  it("when a JWT that is not an access token (typ) is sent, then UNAUTHENTICATED", async () => {
    expectUnauthenticated(await withToken(await kit.signWithRingKey(validClaims(), { typ: "JWT" })));
    expectUnauthenticated(await withToken(await kit.signWithRingKey(validClaims(), { typ: undefined })));
  });

  it("when the claims are malformed though signed, then UNAUTHENTICATED", async () => {
    for (const bad of [{ tid: "Not A Tenant" }, { roles: "customer" }, { sub: "" }, { jti: undefined }, { exp: undefined }]) {
      expectUnauthenticated(await withToken(await kit.signWithRingKey(validClaims(bad))));
    }
  });

  it("when the authorization header is not a bearer token, then UNAUTHENTICATED", async () => {
    for (const authorization of ["Basic dXNlcjpwYXNz", "Bearer", "Bearer not a token", `Token ${await customerToken()}`]) {
      expectUnauthenticated(await call("whoami", { authorization }));
    }
  });

  it("when a method needs a caller and no token is sent, then UNAUTHENTICATED; a caller without the role, PERMISSION_DENIED", async () => {
    expectUnauthenticated(await call("callers-only", { "x-tenant-id": "acme" }), "authentication required");
    expectUnauthenticated(await call("admins-only", { "x-tenant-id": "acme" }), "authentication required");
    expect(await withToken(await customerToken(), "callers-only")).toBe("acme user-1[customer]");

    const denied = await withToken(await customerToken(), "admins-only");
    expect(denied).toBeInstanceOf(ConnectError);
    expect((denied as ConnectError).code).toBe(Code.PermissionDenied);

    const admin = await kit.issuer.issue({ tenantId: parseTenantId("acme"), userId: "admin-1", roles: [Roles.tenantAdmin] });
    expect(await withToken(admin.token, "admins-only")).toBe("acme admin-1[tenant_admin]");
  });

  it("when a user acts on another user without the role, then PERMISSION_DENIED; on itself, allowed", async () => {
    expect(await withToken(await customerToken(), "self-or-admin:user-1")).toBe("acme user-1[customer]");
    expect(((await withToken(await customerToken(), "self-or-admin:user-2")) as ConnectError).code).toBe(Code.PermissionDenied);
  });

  it("when x-tenant-id names another tenant than the token, then PERMISSION_DENIED", async () => {
    const result = await withToken(await customerToken(), "whoami", { "x-tenant-id": "globex" });
    expect(result).toBeInstanceOf(ConnectError);
    expect((result as ConnectError).code).toBe(Code.PermissionDenied);
    expect((result as ConnectError).metadata.get("shop-error-code")).toBe("AUTH.TENANT_MISMATCH");
  });

  it("when an anonymous call names an unknown or disabled tenant, then NOT_FOUND naming x-tenant-id; a known one is served", async () => {
    expect(await call("whoami", { "x-tenant-id": "acme" })).toBe("acme anonymous");
    for (const tenant of ["umbrella", "initech"]) {
      if (tenant === "initech") tenants.disable("initech");
      const result = (await call("whoami", { "x-tenant-id": tenant })) as ConnectError;
      expect(result.code).toBe(Code.NotFound);
      expect(result.metadata.get("shop-error-field")).toBe("x-tenant-id");
      expect(result.metadata.get("shop-error-code")).toBe("TENANT.NOT_FOUND");
    }
    tenants.activate("initech");
  });

  it("when the token's tenant is disabled, then its tokens are refused as UNAUTHENTICATED", async () => {
    const token = await customerToken("initech");
    expect(await withToken(token)).toBe("initech user-1[customer]");
    tenants.disable("initech");
    try {
      expectUnauthenticated(await withToken(token));
    } finally {
      tenants.activate("initech");
    }
  });

  it("when a token is refused, then the reason reaches the log hook but not the caller", async () => {
    rejections.length = 0;
    const token = await kit.signWithRingKey(validClaims({ aud: "another-api" }));
    expectUnauthenticated(await withToken(token));
    expect(rejections.join(" ")).toMatch(/aud/);
  });
});
