import { abortableDelay } from "../kit/abortable-delay.ts";
import { type KeyRingStep, maintainSigningKeys, type SigningKeyRing } from "./signing-key-ring.ts";

export interface SigningKeyMaintenance {
  /** Lets the pass in flight finish, then stops. */
  stop(): Promise<void>;
}

/**
 * Runs key maintenance once (awaited: the process starts with a signing key) and then every
 * `intervalMs` until stopped. A failed pass is reported and tried again at the next tick.
 */
export async function startSigningKeyMaintenance(
  ring: SigningKeyRing,
  options: {
    readonly intervalMs?: number;
    readonly onSteps?: (steps: readonly KeyRingStep[]) => void;
    readonly onError?: (error: unknown) => void;
  } = {},
): Promise<SigningKeyMaintenance> {
  const { intervalMs = 60_000, onSteps, onError } = options;
  const report = (steps: readonly KeyRingStep[]) => {
    if (steps.length > 0) onSteps?.(steps);
  };
  report(await maintainSigningKeys(ring));
  const stopping = new AbortController();
  const loop = (async () => {
    for (;;) {
      await abortableDelay(intervalMs, stopping.signal);
      if (stopping.signal.aborted) return;
      await maintainSigningKeys(ring).then(report, (error) => onError?.(error));
    }
  })();
  return {
    async stop() {
      stopping.abort();
      await loop;
    },
  };
}
