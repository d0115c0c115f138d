import type { ServiceImpl } from "@connectrpc/connect";
import { type Health, HealthCheckResponse_ServingStatus as Status } from "../../gen/grpc/health/v1/health_pb.ts";
import type { HealthProbe } from "../../core/kit/health.ts";

const PROBE_TIMEOUT_MS = 1_000;
const CACHE_MS = 1_000;
const WATCH_INTERVAL_MS = 2_000;

/**
 * grpc.health.v1 whose answer follows the adapters: SERVING only while every probe (database,
 * cache, broker) answers within a second, NOT_SERVING once draining for shutdown.
 */
export class HealthRegistry {
  readonly #probes: readonly HealthProbe[];
  readonly #services: ReadonlySet<string>;
  #draining = false;
  #cached: { at: number; status: Status; failing: string[] } | undefined;

  constructor(probes: readonly HealthProbe[], services: readonly string[]) {
    this.#probes = probes;
    this.#services = new Set(["", ...services]);
  }

  knows(service: string): boolean {
    return this.#services.has(service);
  }

  drain(): void {
    this.#draining = true;
  }

  async check(): Promise<{ status: Status; failing: string[] }> {
    if (this.#draining) return { status: Status.NOT_SERVING, failing: ["draining"] };
    if (this.#cached && Date.now() - this.#cached.at < CACHE_MS) return this.#cached;
    const results = await Promise.allSettled(this.#probes.map((probe) => probe.ping(AbortSignal.timeout(PROBE_TIMEOUT_MS))));
    const failing = this.#probes.filter((_, i) => results[i]?.status === "rejected").map((probe) => probe.name);
    this.#cached = { at: Date.now(), status: failing.length === 0 ? Status.SERVING : Status.NOT_SERVING, failing };
    return this.#cached;
  }
}

export function healthService(registry: HealthRegistry): ServiceImpl<typeof Health> {
  const statusOf = async (service: string) =>
    registry.knows(service) ? (await registry.check()).status : Status.SERVICE_UNKNOWN;
  return {
    async check(request) {
      return { status: await statusOf(request.service) };
    },
    async *watch(request, ctx) {
      let last: Status | undefined;
      while (!ctx.signal.aborted) {
        const status = await statusOf(request.service);
        if (status !== last) yield { status };
        last = status;
        await new Promise((resolve) => setTimeout(resolve, WATCH_INTERVAL_MS).unref());
      }
    },
  };
}
