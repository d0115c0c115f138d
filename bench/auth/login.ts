// Login cost: argon2id dominates. Measures (1) one argon2id verification, (2) the login use case
// in-process (memory stores, real argon2id, real EdDSA issuer), (3) Login over gRPC against the
// auth module on SQLite (the embedded setup), each one at a time and with CONCURRENCY logins in
// flight (argon2 runs on libuv's thread pool: UV_THREADPOOL_SIZE, default 4). Prints logins/s,
// p50/p99 latency and CPU per login. Parameters as auth reads them: SHOPMESH_ARGON2_MEMORY_KIB
// (19456), SHOPMESH_ARGON2_ITERATIONS (2), SHOPMESH_ARGON2_PARALLELISM (1). BENCH_LOGINS per
// measurement (default 200), BENCH_CONCURRENCY (default 4).
import { randomBytes } from "node:crypto";
import { availableParallelism } from "node:os";
import { createClient } from "@connectrpc/connect";
import { createArgon2PasswordHasher } from "../../adapters/argon2/argon2-password-hasher.ts";
import { createJoseAccessTokenIssuer } from "../../adapters/jose/jose-access-token-issuer.ts";
import { createJoseSigningKeyGenerator } from "../../adapters/jose/jose-signing-key-generator.ts";
import { MemoryCredentialRepository } from "../../adapters/memory/auth/memory-credential-repository.ts";
import { createMemoryLoginLimiter } from "../../adapters/memory/auth/memory-login-limiter.ts";
import { MemorySessionRepository } from "../../adapters/memory/auth/memory-session-repository.ts";
import { createMemorySigningKeyStore } from "../../adapters/memory/auth/memory-signing-key-store.ts";
import { MemoryUserAccessLookup } from "../../adapters/memory/auth/memory-user-access-lookup.ts";
import { createMemoryEventBus } from "../../adapters/memory/memory-event-bus.ts";
import { openSqlDatabase } from "../../adapters/mikro-orm/sql-database.ts";
import { nodeCryptoOpaqueTokens } from "../../adapters/node-crypto/node-crypto-opaque-tokens.ts";
import { createLogger } from "../../adapters/observability/logger.ts";
import { createGrpcTransport } from "../../adapters/rpc/grpc-transport.ts";
import { type LoginDeps, login } from "../../core/auth/login.ts";
import { loginLimits } from "../../core/auth/login-limiter.ts";
import { sessionPolicy } from "../../core/auth/session-policy.ts";
import { Tenant } from "../../core/auth/tenant.ts";
import { signingKeyPolicy } from "../../core/auth/signing-key-policy.ts";
import { currentSigningKey, maintainSigningKeys } from "../../core/auth/signing-key-ring.ts";
import { systemClock } from "../../core/kit/clock.ts";
import { randomId } from "../../core/kit/ids.ts";
import { parseTenantId, type RequestContext } from "../../core/kit/request-context.ts";
import { AuthService } from "../../gen/shop/auth/v1/auth_pb.ts";
import { authEntities, authModule } from "../../services/auth/auth-module.ts";
import { startProcess } from "../../services/runtime/run-process.ts";

const LOGINS = Number(process.env.BENCH_LOGINS ?? 200);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const argon2 = {
  memoryKib: Number(process.env.SHOPMESH_ARGON2_MEMORY_KIB ?? 19_456),
  iterations: Number(process.env.SHOPMESH_ARGON2_ITERATIONS ?? 2),
  parallelism: Number(process.env.SHOPMESH_ARGON2_PARALLELISM ?? 1),
};
const acme = parseTenantId("acme");
const PASSWORD = "correct horse battery staple";
const USERS = 50;
const noLimits = loginLimits({
  account: { maxAttempts: 1_000_000, windowMs: 60_000 },
  source: { maxAttempts: 1_000_000, windowMs: 60_000 },
});
const sessions = sessionPolicy({ idleTimeoutMs: 86_400_000, maxAgeMs: 86_400_000 });

interface Figure {
  readonly name: string;
  readonly concurrency: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly cpuMs: number;
}

async function measure(name: string, concurrency: number, op: (i: number) => Promise<unknown>): Promise<Figure> {
  for (let i = 0; i < Math.min(10, LOGINS); i++) await op(i);
  const latencies: number[] = [];
  let next = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < LOGINS) {
        const i = next++;
        const t = performance.now();
        await op(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const elapsedMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return {
    name,
    concurrency,
    perSecond: (LOGINS / elapsedMs) * 1_000,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    cpuMs: (used.user + used.system) / 1_000 / LOGINS,
  };
}

const ctx: RequestContext = { tenantId: acme, caller: undefined, correlationId: "bench", signal: new AbortController().signal };
const emailOf = (i: number) => `user${i % USERS}@example.com`;

async function inProcessDeps(): Promise<LoginDeps> {
  const hasher = createArgon2PasswordHasher(argon2);
  const ring = {
    store: createMemorySigningKeyStore(),
    generator: createJoseSigningKeyGenerator(),
    clock: systemClock,
    policy: signingKeyPolicy({ maxTokenTtlMs: 600_000 }),
  };
  await maintainSigningKeys(ring);
  const credentials = new MemoryCredentialRepository();
  const users = new MemoryUserAccessLookup();
  const passwordHash = await hasher.hash(PASSWORD);
  for (let u = 0; u < USERS; u++) {
    const now = new Date();
    await credentials.save({ tenantId: acme, userId: `u-${u}`, email: emailOf(u), passwordHash, createdAt: now, updatedAt: now });
    users.put(acme, { userId: `u-${u}`, status: "active", roles: ["customer"], emailVerified: true });
  }
  return {
    credentials,
    hasher,
    users,
    sessions: new MemorySessionRepository(),
    tokens: nodeCryptoOpaqueTokens,
    issuer: createJoseAccessTokenIssuer({
      signingKey: () => currentSigningKey(ring.store),
      issuer: "shopmesh-auth",
      audience: "shopmesh",
      ttlSeconds: 600,
    }),
    limiter: createMemoryLoginLimiter(noLimits, systemClock),
    clock: systemClock,
    newId: randomId,
    policy: sessions,
  };
}

async function overGrpc() {
  const logger = createLogger("bench-login", "silent");
  const users = new MemoryUserAccessLookup();
  const bus = createMemoryEventBus();
  const auth = authModule({
    db: await openSqlDatabase({ kind: "sqlite", file: ":memory:" }, authEntities),
    publisher: bus.publisher,
    consumer: bus.consumer,
    userAccess: users,
    limiter: createMemoryLoginLimiter(noLimits, systemClock),
    clock: systemClock,
    logger,
    tokens: {
      issuer: "shopmesh-auth",
      audience: "shopmesh",
      ttlSeconds: 600,
      clockToleranceSeconds: 10,
      rotateAfterDays: 30,
      keyEncryptionKey: new Uint8Array(randomBytes(32)),
    },
    login: { argon2, sessions, limits: noLimits, trustedProxyHops: 1 },
  });
  const operator = { ...ctx, tenantId: parseTenantId("platform"), caller: { userId: "bench", roles: ["platform_operator"] } };
  await auth.tenants.add(
    Tenant.create({ id: acme, displayName: "Acme", currency: "EUR", defaultLocale: "en" }, new Date()),
    operator,
  );
  const running = await startProcess({ modules: [auth], logger, port: 0, host: "127.0.0.1", drainMs: 100 });
  const transport = createGrpcTransport(`127.0.0.1:${running.server.port}`);
  const client = createClient(AuthService, transport);
  const headers = { "x-tenant-id": "acme" };
  for (let u = 0; u < USERS; u++) {
    await client.setCredential({ userId: `u-${u}`, email: emailOf(u), password: PASSWORD }, { headers });
    users.put(acme, { userId: `u-${u}`, status: "active", roles: ["customer"], emailVerified: true });
  }
  const call = (i: number) => client.login({ email: emailOf(i), password: PASSWORD }, { headers });
  return {
    call,
    async stop() {
      transport.close();
      await running.stop();
    },
  };
}

const deps = await inProcessDeps();
const encoded = await deps.hasher.hash(PASSWORD);
const figures: Figure[] = [];
figures.push(await measure("argon2id verify alone", 1, () => deps.hasher.verify(encoded, PASSWORD)));
figures.push(await measure("argon2id verify alone", CONCURRENCY, () => deps.hasher.verify(encoded, PASSWORD)));
const useCase = (i: number) =>
  login(deps, ctx, { email: emailOf(i), password: PASSWORD, source: { address: undefined, userAgent: "bench" } });
figures.push(await measure("login use case (memory stores)", 1, useCase));
figures.push(await measure("login use case (memory stores)", CONCURRENCY, useCase));
const grpc = await overGrpc();
figures.push(await measure("Login over gRPC (auth module, SQLite)", 1, grpc.call));
figures.push(await measure("Login over gRPC (auth module, SQLite)", CONCURRENCY, grpc.call));
await grpc.stop();

const fmt = (n: number, digits = 1) => n.toFixed(digits).padStart(9);
process.stdout.write(
  `\nlogins: argon2id m=${argon2.memoryKib} KiB, t=${argon2.iterations}, p=${argon2.parallelism}; ` +
    `${LOGINS} logins per row; Node ${process.versions.node}, ${availableParallelism()} CPUs, ` +
    `UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? "4 (default)"}\n\n`,
);
process.stdout.write(
  `${"operation".padEnd(40)} ${"in flight".padStart(9)} ${"logins/s".padStart(9)} ${"p50 ms".padStart(9)} ${"p99 ms".padStart(9)} ${"CPU ms".padStart(9)}\n`,
);
for (const f of figures) {
  process.stdout.write(
    `${f.name.padEnd(40)} ${String(f.concurrency).padStart(9)} ${fmt(f.perSecond)} ${fmt(f.p50Ms, 2)} ${fmt(f.p99Ms, 2)} ${fmt(f.cpuMs, 2)}\n`,
  );
}
