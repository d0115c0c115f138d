import { unavailable } from "../../core/kit/domain-error.ts";
import type { IdGenerator } from "../../core/kit/ids.ts";
import type { Clock } from "../../core/kit/clock.ts";
import type { Carrier, Label, LabelRequest } from "../../core/shipping/carrier.ts";
import type { ServiceLevel } from "../../core/shipping/shipment.ts";

const TRANSIT_DAYS: Record<ServiceLevel, number> = { standard: 5, express: 2, overnight: 1 };
const DAY_MS = 24 * 60 * 60_000;

export interface SandboxCarrier extends Carrier {
  /** The next `times` calls (label or void) reject as an unreachable carrier would. */
  failNext(times: number): void;
  /** Labels bought so far (a replayed idempotency key buys none). */
  readonly labelsCreated: number;
  readonly voided: ReadonlySet<string>;
}

/**
 * An in-process carrier for the embedded mode, tests and demos: tracking numbers `SBX` + the id
 * generator's next id (deterministic with `sequentialIds`), no tracking page, delivery estimated
 * at 5 / 2 / 1 days by service level. Labels are remembered by idempotency key, so a repeated
 * request gets the first label back. State lives in the process: it is a sandbox.
 */
export function createSandboxCarrier(options: { newId: IdGenerator; clock: Clock }): SandboxCarrier {
  const labels = new Map<string, Label>();
  const voided = new Set<string>();
  let failures = 0;
  let created = 0;
  const maybeFail = (signal: AbortSignal) => {
    signal.throwIfAborted();
    if (failures > 0) {
      failures--;
      throw unavailable("SHIPPING.CARRIER_UNAVAILABLE", "sandbox carrier told to fail");
    }
  };
  return {
    name: "sandbox",
    async createLabel(request: LabelRequest, signal: AbortSignal): Promise<Label> {
      maybeFail(signal);
      const known = labels.get(request.idempotencyKey);
      if (known) return known;
      const label: Label = {
        trackingNumber: `SBX${options.newId().replaceAll("-", "").toUpperCase()}`.slice(0, 64),
        trackingUrl: "",
        estimatedDeliveryAt: new Date(options.clock.now().getTime() + TRANSIT_DAYS[request.serviceLevel] * DAY_MS),
      };
      labels.set(request.idempotencyKey, label);
      created++;
      return label;
    },
    async voidLabel(request, signal) {
      maybeFail(signal);
      voided.add(request.trackingNumber);
    },
    failNext(times) {
      failures = times;
    },
    get labelsCreated() {
      return created;
    },
    voided,
  };
}
