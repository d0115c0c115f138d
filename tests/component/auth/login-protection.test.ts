import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code } from "@connectrpc/connect";
import { anonymous, bearer, failure, registerUser } from "./support/auth-calls.ts";
import { type AuthServiceUnderTest, LIMITS, startAuthServiceUnderTest } from "./support/auth-service-under-test.ts";

let sut: AuthServiceUnderTest;
beforeAll(async () => {
  sut = await startAuthServiceUnderTest("auth_protection");
});
afterAll(async () => {
  await sut?.stop();
});

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const timed = async (work: () => Promise<unknown>) => {
  const started = performance.now();
  await work().catch(() => undefined);
  return performance.now() - started;
};

async function rowCounts(): Promise<{ credentials: number; sessions: number; tokens: number }> {
  const count = async (table: string) =>
    Number(((await sut.db.em.getConnection().execute(`select count(*) as n from ${table}`)) as { n: number | string }[])[0]?.n);
  return {
    credentials: await count("auth_credentials"),
    sessions: await count("auth_sessions"),
    tokens: await count("auth_refresh_tokens"),
  };
}

describe.each(["grpc", "connect"] as const)("login protection over %s", (transport) => {
  const client = () => sut.client(transport);
  const acmeUser = {
    tenant: "acme",
    userId: `u-carol-${transport}`,
    email: `carol-${transport}@example.com`,
    password: "carol's password",
  };
  const globexUser = {
    tenant: "globex",
    userId: `u-dave-${transport}`,
    email: `dave-${transport}@example.com`,
    password: "dave's password",
  };
  beforeAll(async () => {
    await registerUser(sut, acmeUser);
    await registerUser(sut, globexUser);
  });

  it("when an account fails its limit, then RESOURCE_EXHAUSTED with retry-after-ms, even for the right password", async () => {
    const victim = {
      tenant: "acme",
      userId: `u-victim-${transport}`,
      email: `victim-${transport}@example.com`,
      password: "victim password",
    };
    await registerUser(sut, victim);
    for (let i = 0; i < LIMITS.account.maxAttempts; i++) {
      const wrong = await failure(client().login({ email: victim.email, password: `guess number ${i}` }, anonymous("acme")));
      expect(wrong.code).toBe(Code.Unauthenticated);
    }
    const limited = await failure(client().login({ email: victim.email, password: victim.password }, anonymous("acme")));
    expect(limited.code).toBe(Code.ResourceExhausted);
    expect(limited.metadata.get("shop-error-code")).toBe("AUTH.TOO_MANY_LOGIN_ATTEMPTS");
    const retryAfterMs = Number(limited.metadata.get("retry-after-ms"));
    expect(retryAfterMs).toBeGreaterThan(0);
    expect(retryAfterMs).toBeLessThanOrEqual(LIMITS.account.windowMs);
    // The same email in another tenant is another account.
    const elsewhere = await failure(client().login({ email: victim.email, password: victim.password }, anonymous("globex")));
    expect(elsewhere.code).toBe(Code.Unauthenticated);
  });

  it("when one address (x-forwarded-for, one trusted hop) guesses across accounts, then it is limited, and another address is not", async () => {
    const attacker = transport === "grpc" ? "203.0.113.50" : "2001:db8:50::1";
    for (let i = 0; i < LIMITS.source.maxAttempts; i++) {
      // The client-written entries left of the gateway's are ignored: changing them changes nothing.
      const forwardedFor = `10.0.0.${i}, ${transport === "grpc" ? attacker : `2001:db8:50::${i + 1}`}`;
      await failure(
        client().login(
          { email: `nobody${i}-${transport}@example.com`, password: "guess guess" },
          anonymous("acme", forwardedFor),
        ),
      );
    }
    const limited = await failure(
      client().login({ email: acmeUser.email, password: acmeUser.password }, anonymous("acme", attacker)),
    );
    expect([limited.code, limited.metadata.get("shop-error-code")]).toEqual([
      Code.ResourceExhausted,
      "AUTH.TOO_MANY_LOGIN_ATTEMPTS_FROM_SOURCE",
    ]);
    expect(Number(limited.metadata.get("retry-after-ms"))).toBeGreaterThan(0);
    await client().login({ email: acmeUser.email, password: acmeUser.password }, anonymous("acme", "198.51.100.77"));
  });

  it("when the email is unknown or the password wrong, then the same error, and about the same time (both hash)", async () => {
    const unknown: number[] = [];
    const wrong: number[] = [];
    const errors = [];
    for (let i = 0; i < 3; i++) {
      unknown.push(
        await timed(() =>
          client().login({ email: `ghost${i}-${transport}@example.com`, password: "some password" }, anonymous("acme")),
        ),
      );
      wrong.push(
        await timed(() => client().login({ email: acmeUser.email, password: `wrong password ${i}` }, anonymous("acme"))),
      );
    }
    errors.push(
      await failure(client().login({ email: `ghost-${transport}@example.com`, password: "some password" }, anonymous("acme"))),
    );
    errors.push(await failure(client().login({ email: globexUser.email, password: "nope nope" }, anonymous("globex"))));
    for (const error of errors) {
      expect([error.code, error.rawMessage, error.metadata.get("shop-error-code")]).toEqual([
        Code.Unauthenticated,
        "invalid email or password",
        "AUTH.INVALID_CREDENTIALS",
      ]);
    }
    const ratio = median(unknown) / median(wrong);
    expect(ratio, `unknown ${median(unknown).toFixed(1)} ms vs wrong ${median(wrong).toFixed(1)} ms`).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
    await client().login({ email: acmeUser.email, password: acmeUser.password }, anonymous("acme")); // clears carol's failures
  });

  it("when a user of tenant A uses a session with tenant B, then it does not work, and B's users see none of A's sessions", async () => {
    const a = await client().login({ email: acmeUser.email, password: acmeUser.password }, anonymous("acme"));
    const b = await client().login({ email: globexUser.email, password: globexUser.password }, anonymous("globex"));
    // A's credentials do not log in at B.
    expect(
      (await failure(client().login({ email: acmeUser.email, password: acmeUser.password }, anonymous("globex")))).code,
    ).toBe(Code.Unauthenticated);
    // A's refresh token shown to B is unknown there, and stays good at A.
    expect((await failure(client().refresh({ refreshToken: a.tokens!.refreshToken }, anonymous("globex")))).code).toBe(
      Code.Unauthenticated,
    );
    await client().logout({ refreshToken: a.tokens!.refreshToken }, anonymous("globex")); // a no-op at B
    // A's access token with B's tenant header is refused.
    const mismatch = await failure(client().listSessions({}, bearer(a.tokens!.accessToken, "globex")));
    expect([mismatch.code, mismatch.metadata.get("shop-error-code")]).toEqual([Code.PermissionDenied, "AUTH.TENANT_MISMATCH"]);
    // B cannot see or revoke A's session.
    const seenByB = await client().listSessions({}, bearer(b.tokens!.accessToken));
    expect(seenByB.sessions.map((s) => s.sessionId)).not.toContain(a.sessionId);
    expect((await failure(client().revokeSession({ sessionId: a.sessionId }, bearer(b.tokens!.accessToken)))).code).toBe(
      Code.NotFound,
    );
    const refreshed = await client().refresh({ refreshToken: a.tokens!.refreshToken }, anonymous("acme"));
    expect(refreshed.sessionId).toBe(a.sessionId);
  });

  it("when a refresh or logout names an unknown tenant, then NOT_FOUND on x-tenant-id", async () => {
    const error = await failure(client().refresh({ refreshToken: "x".repeat(43) }, anonymous("initech")));
    expect([error.code, error.metadata.get("shop-error-field")]).toEqual([Code.NotFound, "x-tenant-id"]);
  });

  it("when emails are malformed or fields over-long, then INVALID_ARGUMENT names the field and nothing is written or counted", async () => {
    const before = await rowCounts();
    const cases: [() => Promise<unknown>, string][] = [
      [() => client().login({ email: "not-an-email", password: "whatever1" }, anonymous("acme")), "email"],
      [() => client().login({ email: `${"a".repeat(250)}@example.com`, password: "whatever1" }, anonymous("acme")), "email"],
      [() => client().login({ email: acmeUser.email, password: "p".repeat(257) }, anonymous("acme")), "password"],
      [() => client().login({ email: acmeUser.email, password: "" }, anonymous("acme")), "password"],
      [() => client().refresh({ refreshToken: "r".repeat(513) }, anonymous("acme")), "refresh_token"],
      [() => client().logout({ refreshToken: "" }, anonymous("acme")), "refresh_token"],
      [() => client().revokeSession({ sessionId: "s".repeat(65) }, anonymous("acme")), "session_id"],
      [
        () => sut.internal.setCredential({ userId: "u-new", email: "bad email", password: "0123456789" }, anonymous("acme")),
        "email",
      ],
      [
        () => sut.internal.setCredential({ userId: "u-new", email: "new@example.com", password: "short" }, anonymous("acme")),
        "password",
      ],
      [
        () =>
          sut.internal.setCredential(
            { userId: "u".repeat(65), email: "new@example.com", password: "0123456789" },
            anonymous("acme"),
          ),
        "user_id",
      ],
      [
        () =>
          sut.internal.setCredential({ userId: "u-new", email: "new@example.com", password: "x".repeat(257) }, anonymous("acme")),
        "password",
      ],
    ];
    for (const [call, field] of cases) {
      const error = await failure(call());
      expect([error.code, error.metadata.get("shop-error-field")], field).toEqual([Code.InvalidArgument, field]);
      expect(error.rawMessage).toContain(field);
    }
    expect(await rowCounts()).toEqual(before);
    // Nothing was counted against carol either: her account still has every attempt.
    for (let i = 0; i < LIMITS.account.maxAttempts - 1; i++) {
      await failure(client().login({ email: acmeUser.email, password: `wrong ${i} wrong` }, anonymous("acme")));
    }
    await client().login({ email: acmeUser.email, password: acmeUser.password }, anonymous("acme"));
  });
});
