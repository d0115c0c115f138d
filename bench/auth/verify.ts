// Access token costs, single-threaded, one operation at a time: signing with the current key,
// verification as every service does it on every call (keys already loaded), with and without
// the verified-token cache, and through the identity resolver. Prints ops/s, p50/p99 latency and
// CPU time per operation (process.cpuUsage: includes libuv's thread pool, where WebCrypto runs).
// BENCH_ITERATIONS per measurement (default 20000).
import { createPublicKey, verify as nodeVerify } from "node:crypto";
import { createJoseAccessTokenIssuer } from "../../adapters/jose/jose-access-token-issuer.ts";
import { createJoseAccessTokenVerifier } from "../../adapters/jose/jose-access-token-verifier.ts";
import { localJwks } from "../../adapters/jose/jose-local-jwks.ts";
import { createJoseSigningKeyGenerator } from "../../adapters/jose/jose-signing-key-generator.ts";
import { createMemorySigningKeyStore } from "../../adapters/memory/auth/memory-signing-key-store.ts";
import { createMemoryTenantDirectory } from "../../adapters/memory/memory-tenant-directory.ts";
import { jwtIdentityResolver } from "../../adapters/rpc/jwt-identity-resolver.ts";
import type { SigningAlgorithm } from "../../core/auth/signing-key.ts";
import { signingKeyPolicy } from "../../core/auth/signing-key-policy.ts";
import { currentSigningKey, maintainSigningKeys, publishedJwks } from "../../core/auth/signing-key-ring.ts";
import { systemClock } from "../../core/kit/clock.ts";
import { parseTenantId } from "../../core/kit/request-context.ts";
import { PlatformService } from "../../gen/shop/platform/v1/platform_pb.ts";

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 20_000);
const WARMUP = Math.min(2_000, ITERATIONS);
const subject = {
  tenantId: parseTenantId("acme"),
  userId: "user-0123456789",
  roles: ["customer"],
  sessionId: "session-0123456789",
};

interface Figure {
  readonly name: string;
  readonly opsPerSecond: number;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly cpuUs: number;
}

async function measure(name: string, op: (i: number) => Promise<unknown> | unknown, iterations = ITERATIONS): Promise<Figure> {
  for (let i = 0; i < WARMUP; i++) await op(i);
  const latencies = new Float64Array(iterations);
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < iterations; i++) {
    const t = performance.now();
    await op(i);
    latencies[i] = performance.now() - t;
  }
  const elapsedMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  latencies.sort();
  const at = (q: number) => (latencies[Math.min(iterations - 1, Math.floor(q * iterations))] ?? 0) * 1_000;
  return {
    name,
    opsPerSecond: (iterations / elapsedMs) * 1_000,
    p50Us: at(0.5),
    p99Us: at(0.99),
    cpuUs: (used.user + used.system) / iterations,
  };
}

async function figuresFor(algorithm: SigningAlgorithm): Promise<Figure[]> {
  const ring = {
    store: createMemorySigningKeyStore(),
    generator: createJoseSigningKeyGenerator(algorithm),
    clock: systemClock,
    policy: signingKeyPolicy({ maxTokenTtlMs: 600_000 }),
  };
  await maintainSigningKeys(ring);
  const key = await currentSigningKey(ring.store);
  const issuer = createJoseAccessTokenIssuer({
    signingKey: async () => key, // the key in hand: signing cost only, no store read
    issuer: "shopmesh-auth",
    audience: "shopmesh",
    ttlSeconds: 600,
  });
  const keys = localJwks(() => publishedJwks(ring.store), { refreshAfterMs: 3_600_000 });
  const options = { keys, issuer: "shopmesh-auth", audience: "shopmesh" };
  const uncached = createJoseAccessTokenVerifier({ ...options, cache: false });
  const cached = createJoseAccessTokenVerifier(options);
  const resolve = jwtIdentityResolver({ verifier: cached, tenants: createMemoryTenantDirectory(["acme"]) });
  const method = PlatformService.methods[0]!;

  const tokens: string[] = [];
  const figures = [
    await measure(`${algorithm} sign (issuer, key cached)`, async () => tokens.push((await issuer.issue(subject)).token)),
  ];
  while (tokens.length < ITERATIONS + WARMUP) tokens.push((await issuer.issue(subject)).token);
  const one = tokens[0]!;
  await uncached.verify(one); // loads the key set once

  figures.push(await measure(`${algorithm} verify, new token each call`, (i) => uncached.verify(tokens[i % tokens.length]!)));
  figures.push(await measure(`${algorithm} verify, same token again (cache)`, () => cached.verify(one)));
  const headers = new Headers({ authorization: `Bearer ${one}`, "x-tenant-id": "acme" });
  figures.push(await measure(`${algorithm} identity resolver, same token (cache)`, () => resolve(headers, method)));

  // The floor: the signature check alone with node:crypto, synchronously, on the same bytes.
  const [header, payload, signature] = one.split(".");
  const data = Buffer.from(`${header}.${payload}`);
  const sig = Buffer.from(signature!, "base64url");
  const publicKey = createPublicKey({ key: { ...key.publicJwk }, format: "jwk" });
  const nodeAlg = algorithm === "EdDSA" ? null : "sha256";
  const keyInput = algorithm === "EdDSA" ? publicKey : { key: publicKey, dsaEncoding: "ieee-p1363" as const };
  figures.push(
    await measure(`${algorithm} signature only (node:crypto, sync)`, () => {
      if (!nodeVerify(nodeAlg, data, keyInput, sig)) throw new Error("signature check failed");
    }),
  );
  return figures;
}

const fmt = (n: number, digits = 1) => n.toFixed(digits).padStart(9);
const all = [...(await figuresFor("EdDSA")), ...(await figuresFor("ES256"))];
process.stdout.write(`\naccess tokens, one at a time, ${ITERATIONS} operations each (Node ${process.versions.node})\n\n`);
process.stdout.write(
  `${"operation".padEnd(46)} ${"ops/s".padStart(9)} ${"p50 µs".padStart(9)} ${"p99 µs".padStart(9)} ${"CPU µs/op".padStart(9)}\n`,
);
for (const f of all) {
  process.stdout.write(`${f.name.padEnd(46)} ${fmt(f.opsPerSecond, 0)} ${fmt(f.p50Us)} ${fmt(f.p99Us)} ${fmt(f.cpuUs)}\n`);
}
