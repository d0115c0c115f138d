/** What a service reports as its readiness: each adapter that talks to a server can be pinged. */
export interface HealthProbe {
  readonly name: string;
  ping(signal: AbortSignal): Promise<void>;
}
