import { describe, expect, it } from "vitest";
import { Code, ConnectError, createRouterTransport, type ServiceImpl } from "@connectrpc/connect";
import { type DomainError, isDomainError } from "../../../core/kit/domain-error.ts";
import { parseTenantId, type RequestContext } from "../../../core/kit/request-context.ts";
import { AuthService } from "../../../gen/shop/auth/v1/auth_pb.ts";
import { createAuthCredentialRegistry } from "../../../services/users/auth-credential-registry.ts";

const ctx: RequestContext = {
  tenantId: parseTenantId("acme"),
  caller: undefined,
  correlationId: "corr-42",
  signal: new AbortController().signal,
};
const credential = { userId: "u-1", email: "ada@example.com", password: "correct horse battery", revokeSessions: true };

/** AuthService with only SetCredential, answering as `answer` says and recording what it saw. */
function fakeAuth(answer: () => void) {
  const seen: { request: unknown; tenant: string | null; correlation: string | null }[] = [];
  const impl: Partial<ServiceImpl<typeof AuthService>> = {
    setCredential(request, context) {
      seen.push({
        request: {
          userId: request.userId,
          email: request.email,
          password: request.password,
          revokeSessions: request.revokeSessions,
        },
        tenant: context.requestHeader.get("x-tenant-id"),
        correlation: context.requestHeader.get("x-correlation-id"),
      });
      answer();
      return {};
    },
  };
  return { seen, transport: createRouterTransport((router) => router.service(AuthService, impl)) };
}

async function failureOf(work: Promise<unknown>): Promise<DomainError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isDomainError(error)) throw new Error(`expected a DomainError, got ${String(error)}`);
  return error;
}

describe("AuthService.SetCredential as the credential registry", () => {
  it("when a password is set, then auth gets it with the caller's tenant and correlation id", async () => {
    const auth = fakeAuth(() => {});
    await createAuthCredentialRegistry(auth.transport).setPassword(ctx, credential);
    expect(auth.seen).toEqual([{ request: credential, tenant: "acme", correlation: "corr-42" }]);
  });

  it("when auth refuses the password, then INVALID_ARGUMENT on password; a taken email stays ALREADY_EXISTS", async () => {
    const weak = fakeAuth(() => {
      throw new ConnectError("password: too common", Code.InvalidArgument);
    });
    expect(await failureOf(createAuthCredentialRegistry(weak.transport).setPassword(ctx, credential))).toMatchObject({
      kind: "invalid",
      field: "password",
    });
    const taken = fakeAuth(() => {
      throw new ConnectError("email taken", Code.AlreadyExists);
    });
    expect((await failureOf(createAuthCredentialRegistry(taken.transport).setPassword(ctx, credential))).kind).toBe(
      "already_exists",
    );
  });

  it("when auth fails otherwise or does not serve the method, then UNAVAILABLE", async () => {
    const broken = fakeAuth(() => {
      throw new Error("database on fire");
    });
    expect((await failureOf(createAuthCredentialRegistry(broken.transport).setPassword(ctx, credential))).kind).toBe(
      "unavailable",
    );
    const missing = createRouterTransport(() => {});
    expect((await failureOf(createAuthCredentialRegistry(missing).setPassword(ctx, credential))).kind).toBe("unavailable");
  });
});
