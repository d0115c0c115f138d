import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code } from "@connectrpc/connect";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { UserDisabledSchema } from "../../../gen/shop/events/v1/user_events_pb.ts";
import { parseTenantId } from "../../../core/kit/request-context.ts";
import { encodeEvent } from "../../../adapters/protobuf/integration-event-encoding.ts";
import { USER_EVENTS_TOPIC } from "../../../services/auth/user-events-subscription.ts";
import { anonymous, bearer, failure, registerUser } from "./support/auth-calls.ts";
import { AUDIENCE, type AuthServiceUnderTest, ISSUER, startAuthServiceUnderTest } from "./support/auth-service-under-test.ts";

let sut: AuthServiceUnderTest;
beforeAll(async () => {
  sut = await startAuthServiceUnderTest("auth_flow");
});
afterAll(async () => {
  await sut?.stop();
});

const until = async (condition: () => Promise<boolean>, timeoutMs = 5_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};

describe.each(["grpc", "connect"] as const)("sessions over %s", (transport) => {
  const email = `ann-${transport}@example.com`;
  const password = "correct horse battery";
  const userId = `u-ann-${transport}`;
  const client = () => sut.client(transport);
  const loginAnn = (userAgent = "test-agent") =>
    client().login({ email, password }, { headers: { ...anonymous("acme", "198.51.100.23").headers, "user-agent": userAgent } });

  beforeAll(async () => {
    await registerUser(sut, { tenant: "acme", userId, email, password, roles: ["customer", "tenant_admin"] });
  });

  it("when logging in, then the access token is a JWT signed by a key of GetJwks, for the tenant, user, roles and session", async () => {
    const login = await loginAnn();
    expect(login.userId).toBe(userId);
    expect(login.tokens?.tokenType).toBe("Bearer");
    expect(login.tokens?.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const jwks = await client().getJwks({});
    expect(jwks.keys.map((k) => k.kid)).toContain(decodeProtectedHeader(login.tokens!.accessToken).kid);
    const { payload } = await jwtVerify(
      login.tokens!.accessToken,
      createLocalJWKSet({ keys: jwks.keys.map(({ y, ...k }) => (y ? { ...k, y } : k)) }),
      { issuer: ISSUER, audience: AUDIENCE },
    );
    expect(payload).toMatchObject({ sub: userId, tid: "acme", roles: ["customer", "tenant_admin"], sid: login.sessionId });
    expect(timestampDate(login.tokens!.accessTokenExpireTime!).getTime()).toBe(payload.exp! * 1_000);
  });

  it("when login -> refresh -> refresh again with the old token -> logout, then the reuse kills the family, the newest token too", async () => {
    const login = await loginAnn();
    const first = login.tokens!.refreshToken;
    const refreshed = await client().refresh({ refreshToken: first }, anonymous("acme"));
    expect(refreshed.sessionId).toBe(login.sessionId);
    expect(refreshed.tokens!.refreshToken).not.toBe(first);

    const reuse = await failure(client().refresh({ refreshToken: first }, anonymous("acme")));
    expect(reuse.code).toBe(Code.Unauthenticated);
    const newest = await failure(client().refresh({ refreshToken: refreshed.tokens!.refreshToken }, anonymous("acme")));
    expect([newest.code, newest.rawMessage]).toEqual([Code.Unauthenticated, "invalid refresh token"]);

    // A fresh session logs out; its token is dead, and logging out again is fine.
    const other = await loginAnn();
    await client().logout({ refreshToken: other.tokens!.refreshToken }, anonymous("acme"));
    await client().logout({ refreshToken: other.tokens!.refreshToken }, anonymous("acme"));
    expect((await failure(client().refresh({ refreshToken: other.tokens!.refreshToken }, anonymous("acme")))).code).toBe(
      Code.Unauthenticated,
    );
  });

  it("when listing sessions, then the caller's live sessions come newest first with the current one marked and the address masked", async () => {
    const phone = await loginAnn("phone/1.0");
    const laptop = await loginAnn("laptop/2.0");
    const listed = await client().listSessions({}, bearer(laptop.tokens!.accessToken));
    const mine = listed.sessions.filter((s) => [phone.sessionId, laptop.sessionId].includes(s.sessionId));
    // grpc-js sends its own user-agent (the one set in metadata is not passed on); browsers send theirs.
    const agent = (sent: string) => (transport === "connect" ? sent : expect.stringMatching(/^grpc-node-js\//));
    expect(mine.map((s) => [s.sessionId, s.current, s.userAgent])).toEqual([
      [laptop.sessionId, true, agent("laptop/2.0")],
      [phone.sessionId, false, agent("phone/1.0")],
    ]);
    expect(mine[0]?.ipAddressMasked).toBe("198.51.100.0");
    expect(listed.sessions[0]?.sessionId).toBe(laptop.sessionId);
  });

  it("when a session is revoked by its user, then its refresh token is dead and the others live on", async () => {
    const phone = await loginAnn();
    const laptop = await loginAnn();
    await client().revokeSession({ sessionId: phone.sessionId }, bearer(laptop.tokens!.accessToken));
    expect((await failure(client().refresh({ refreshToken: phone.tokens!.refreshToken }, anonymous("acme")))).code).toBe(
      Code.Unauthenticated,
    );
    await client().refresh({ refreshToken: laptop.tokens!.refreshToken }, anonymous("acme"));
  });

  it("when logging out everywhere, then every session of the user ends and the count says so", async () => {
    const a = await loginAnn();
    const b = await loginAnn();
    const result = await client().logoutEverywhere({}, bearer(b.tokens!.accessToken));
    expect(result.revokedSessionCount).toBeGreaterThanOrEqual(2);
    for (const session of [a, b]) {
      expect((await failure(client().refresh({ refreshToken: session.tokens!.refreshToken }, anonymous("acme")))).code).toBe(
        Code.Unauthenticated,
      );
    }
    expect((await client().listSessions({}, bearer(b.tokens!.accessToken))).sessions).toEqual([]);
  });

  it("when a session RPC comes without a token, then UNAUTHENTICATED", async () => {
    expect((await failure(client().listSessions({}, anonymous("acme")))).code).toBe(Code.Unauthenticated);
    expect((await failure(client().logoutEverywhere({}, anonymous("acme")))).code).toBe(Code.Unauthenticated);
  });
});

describe("credentials and the users context", () => {
  it("when a password is reset with revoke_sessions, then the old password and every old session stop working", async () => {
    await registerUser(sut, { tenant: "acme", userId: "u-reset", email: "reset@example.com", password: "before the reset" });
    const before = await sut
      .client("grpc")
      .login({ email: "reset@example.com", password: "before the reset" }, anonymous("acme"));
    await sut.internal.setCredential(
      { userId: "u-reset", email: "reset@example.com", password: "after the reset", revokeSessions: true },
      anonymous("acme"),
    );
    expect(
      (await failure(sut.client("grpc").refresh({ refreshToken: before.tokens!.refreshToken }, anonymous("acme")))).code,
    ).toBe(Code.Unauthenticated);
    expect(
      (await failure(sut.client("grpc").login({ email: "reset@example.com", password: "before the reset" }, anonymous("acme"))))
        .code,
    ).toBe(Code.Unauthenticated);
    await sut.client("connect").login({ email: "reset@example.com", password: "after the reset" }, anonymous("acme"));
  });

  it("when SetCredential is called from a browser (Connect over HTTP/1.1), then it is not served", async () => {
    const error = await failure(
      sut.client("connect").setCredential({ userId: "u-x", email: "x@example.com", password: "0123456789" }, anonymous("acme")),
    );
    expect([Code.NotFound, Code.Unimplemented]).toContain(error.code);
  });

  it("when another user of the tenant has the email, then SetCredential is ALREADY_EXISTS", async () => {
    await registerUser(sut, { tenant: "acme", userId: "u-first", email: "taken@example.com", password: "first password" });
    const error = await failure(
      sut.internal.setCredential(
        { userId: "u-second", email: "taken@example.com", password: "second password" },
        anonymous("acme"),
      ),
    );
    expect([error.code, error.metadata.get("shop-error-code")]).toEqual([Code.AlreadyExists, "AUTH.EMAIL_TAKEN"]);
  });

  it("when users publishes UserDisabled, then the user's sessions end, and a disabled user can neither log in nor refresh", async () => {
    await registerUser(sut, { tenant: "acme", userId: "u-bob", email: "bob@example.com", password: "bob's password" });
    const session = await sut.client("grpc").login({ email: "bob@example.com", password: "bob's password" }, anonymous("acme"));
    sut.users.put("acme", { userId: "u-bob", status: "disabled", roles: ["customer"], emailVerified: true });
    await sut.bus.publisher.publish([
      encodeEvent(
        UserDisabledSchema,
        { userId: "u-bob", reason: "fraud" },
        { topic: USER_EVENTS_TOPIC, key: "u-bob", occurredAt: new Date() },
        { tenantId: parseTenantId("acme"), correlationId: "corr-disable" },
      ),
    ]);
    await until(() => revoked(session.sessionId));
    const refresh = await failure(
      sut.client("connect").refresh({ refreshToken: session.tokens!.refreshToken }, anonymous("acme")),
    );
    expect(refresh.code).toBe(Code.Unauthenticated);
    const login = await failure(
      sut.client("connect").login({ email: "bob@example.com", password: "bob's password" }, anonymous("acme")),
    );
    expect([login.code, login.rawMessage]).toEqual([Code.Unauthenticated, "invalid email or password"]);
  });
});

async function revoked(sessionId: string): Promise<boolean> {
  const rows = await sut.db.em.getConnection().execute("select revoked_reason from auth_sessions where id = ?", [sessionId]);
  return (rows as { revoked_reason: string | null }[])[0]?.revoked_reason === "user_disabled";
}
