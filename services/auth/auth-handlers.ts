import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import { type LoginDeps, login } from "../../core/auth/login.ts";
import { logout, logoutEverywhere } from "../../core/auth/logout.ts";
import { listOwnSessions, revokeOwnSession, type SessionView } from "../../core/auth/own-sessions.ts";
import { refreshSession } from "../../core/auth/refresh-session.ts";
import type { SessionTokens } from "../../core/auth/session-tokens.ts";
import { setCredential } from "../../core/auth/set-credential.ts";
import { publishedJwks } from "../../core/auth/signing-key-ring.ts";
import type { SigningKeyStore } from "../../core/auth/signing-key-store.ts";
import { requestContext } from "../../adapters/rpc/call-context.ts";
import type { AuthService, SessionSchema, TokenPairSchema } from "../../gen/shop/auth/v1/auth_pb.ts";
import { loginSourceOf } from "./login-source-header.ts";

export interface AuthHandlerDeps extends LoginDeps {
  readonly signingKeys: SigningKeyStore;
  /** Proxies that append to x-forwarded-for in front of auth (login-source-header.ts). */
  readonly trustedProxyHops: number;
}

/** AuthService methods served only to other services (gRPC, never to browsers). */
export const AUTH_INTERNAL_METHODS = ["SetCredential"];

/** AuthService: proto in, core use case, proto out. Who may call what is checked in the core. */
export function authHandlers(deps: AuthHandlerDeps): ServiceImpl<typeof AuthService> {
  return {
    async login(request, ctx) {
      const tokens = await login(deps, requestContext(ctx), {
        email: request.email,
        password: request.password,
        source: loginSourceOf(ctx.requestHeader, deps.trustedProxyHops),
      });
      return { tokens: tokenPair(tokens), sessionId: tokens.sessionId, userId: tokens.userId };
    },
    async refresh(request, ctx) {
      const tokens = await refreshSession(deps, requestContext(ctx), request.refreshToken);
      return { tokens: tokenPair(tokens), sessionId: tokens.sessionId };
    },
    async logout(request, ctx) {
      await logout(deps, requestContext(ctx), request.refreshToken);
      return {};
    },
    async logoutEverywhere(_request, ctx) {
      return { revokedSessionCount: await logoutEverywhere(deps, requestContext(ctx)) };
    },
    async listSessions(request, ctx) {
      const page = await listOwnSessions(deps, requestContext(ctx), {
        pageSize: request.page?.pageSize,
        pageToken: request.page?.pageToken,
      });
      return { sessions: page.sessions.map(sessionOf), page: { nextPageToken: page.nextPageToken ?? "" } };
    },
    async revokeSession(request, ctx) {
      await revokeOwnSession(deps, requestContext(ctx), request.sessionId);
      return {};
    },
    // Anonymous and tenant-free: the keys are the same for every tenant.
    async getJwks() {
      const jwks = await publishedJwks(deps.signingKeys);
      return { keys: jwks.keys.map((key) => ({ ...key, y: key.y ?? "" })) };
    },
    async setCredential(request, ctx) {
      await setCredential(deps, requestContext(ctx), {
        userId: request.userId,
        email: request.email,
        password: request.password,
        revokeSessions: request.revokeSessions,
      });
      return {};
    },
  };
}

function tokenPair(tokens: SessionTokens): MessageInitShape<typeof TokenPairSchema> {
  return {
    accessToken: tokens.accessToken,
    accessTokenExpireTime: timestampFromDate(tokens.accessTokenExpiresAt),
    refreshToken: tokens.refreshToken,
    refreshTokenExpireTime: timestampFromDate(tokens.refreshTokenExpiresAt),
    tokenType: "Bearer",
  };
}

function sessionOf(session: SessionView): MessageInitShape<typeof SessionSchema> {
  return {
    sessionId: session.id,
    createTime: timestampFromDate(session.createdAt),
    lastRefreshTime: timestampFromDate(session.lastRefreshedAt),
    expireTime: timestampFromDate(session.expiresAt),
    userAgent: session.userAgent,
    ipAddressMasked: session.ipAddressMasked,
    current: session.current,
  };
}
