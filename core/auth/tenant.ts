import { failedPrecondition, invalidField } from "../kit/domain-error.ts";
import type { TenantId } from "../kit/request-context.ts";

export type TenantStatus = "active" | "disabled";

export interface TenantSnapshot {
  readonly id: TenantId;
  readonly displayName: string;
  readonly currency: string;
  readonly defaultLocale: string;
  readonly status: TenantStatus;
  readonly disabledReason: string | undefined;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  /** Bumped by every change; a save from a stale copy is a conflict. */
  readonly version: number;
}

export type TenantEvent =
  | { readonly type: "TenantCreated"; readonly tenant: TenantSnapshot; readonly firstAdminEmail: string | undefined }
  | { readonly type: "TenantDisabled"; readonly tenant: TenantSnapshot; readonly reason: string }
  | { readonly type: "TenantEnabled"; readonly tenant: TenantSnapshot };

export interface NewTenant {
  readonly id: TenantId;
  readonly displayName: string;
  readonly currency: string;
  readonly defaultLocale: string;
  readonly firstAdminEmail?: string | undefined;
}

/** A customer organisation of the platform: everything else it owns is scoped by its id. */
export class Tenant {
  #state: TenantSnapshot;
  #events: TenantEvent[] = [];
  /** The version as stored when loaded (0 for a new tenant): what an update must still find. */
  readonly loadedVersion: number;

  private constructor(state: TenantSnapshot, loadedVersion: number) {
    this.#state = state;
    this.loadedVersion = loadedVersion;
  }

  static create(input: NewTenant, now: Date): Tenant {
    const displayName = input.displayName.trim();
    if (displayName.length === 0) throw invalidField("display_name", "required");
    const tenant = new Tenant(
      {
        id: input.id,
        displayName,
        currency: input.currency,
        defaultLocale: input.defaultLocale,
        status: "active",
        disabledReason: undefined,
        createdAt: now,
        updatedAt: now,
        version: 1,
      },
      0,
    );
    tenant.#events.push({ type: "TenantCreated", tenant: tenant.#state, firstAdminEmail: input.firstAdminEmail });
    return tenant;
  }

  static restore(state: TenantSnapshot): Tenant {
    return new Tenant(state, state.version);
  }

  get id(): TenantId {
    return this.#state.id;
  }

  get isActive(): boolean {
    return this.#state.status === "active";
  }

  /** Whether a repeated CreateTenant asks for this same tenant (then it is answered, not refused). */
  matches(input: NewTenant): boolean {
    const s = this.#state;
    return s.displayName === input.displayName.trim() && s.currency === input.currency && s.defaultLocale === input.defaultLocale;
  }

  disable(reason: string, now: Date): void {
    if (this.#state.status === "disabled") return;
    if (reason.trim().length === 0) throw invalidField("reason", "required");
    this.#change({ status: "disabled", disabledReason: reason.trim() }, now);
    this.#events.push({ type: "TenantDisabled", tenant: this.#state, reason: reason.trim() });
  }

  enable(now: Date): void {
    if (this.#state.status === "active") return;
    this.#change({ status: "active", disabledReason: undefined }, now);
    this.#events.push({ type: "TenantEnabled", tenant: this.#state });
  }

  get hasChanges(): boolean {
    return this.#state.version !== this.loadedVersion;
  }

  snapshot(): TenantSnapshot {
    return this.#state;
  }

  /** The events raised since the last pull; the repository stores them with the state. */
  pullEvents(): TenantEvent[] {
    const events = this.#events;
    this.#events = [];
    return events;
  }

  #change(patch: Partial<TenantSnapshot>, now: Date): void {
    this.#state = { ...this.#state, ...patch, updatedAt: now, version: this.#state.version + 1 };
  }
}

export function assertTenantIsActive(tenant: Tenant): void {
  if (!tenant.isActive) throw failedPrecondition("TENANT.DISABLED", `tenant ${tenant.id} is disabled`);
}
