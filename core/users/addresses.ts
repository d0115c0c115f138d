import { requireCaller } from "../kit/caller-guards.ts";
import type { RequestContext } from "../kit/request-context.ts";
import { type Address, listedOrder } from "./address-book.ts";
import { answerRecord, idempotentCommand, priorAnswer } from "./idempotent-command.ts";
import { parsePostalAddress, type PostalAddress } from "./postal-address.ts";
import { changeUser, loadUser, retryOnConflict, saveUser } from "./user-store.ts";
import type { UsersDeps } from "./users-deps.ts";

/** The caller's addresses, default first, then newest first. */
export async function listAddresses(deps: UsersDeps, ctx: RequestContext): Promise<Address[]> {
  const caller = requireCaller(ctx);
  return listedOrder((await loadUser(deps, ctx, caller.userId)).snapshot().addresses);
}

export interface NewAddress {
  readonly label: string;
  readonly postalAddress: PostalAddress;
  readonly setAsDefault: boolean;
  readonly idempotencyKey: string;
}

/** Saves an address; a replay of the key answers the first address and saves nothing. */
export async function addAddress(deps: UsersDeps, ctx: RequestContext, input: NewAddress): Promise<Address> {
  const caller = requireCaller(ctx);
  const postalAddress = parsePostalAddress(input.postalAddress);
  const command = idempotentCommand(deps, `add_address:${caller.userId}`, input.idempotencyKey, [
    input.label,
    postalAddress,
    input.setAsDefault,
  ]);
  return retryOnConflict(async () => {
    const prior = await priorAnswer(deps, ctx, command);
    if (prior) return decodeAddress(prior);
    const user = await loadUser(deps, ctx, caller.userId);
    const now = deps.clock.now();
    const address = user.addAddress(
      { id: deps.newId(), label: input.label, postalAddress, setAsDefault: input.setAsDefault },
      now,
    );
    await saveUser(deps, user, ctx, { idempotency: answerRecord(command, encodeAddress(address), now) });
    return address;
  });
}

export async function updateAddress(
  deps: UsersDeps,
  ctx: RequestContext,
  addressId: string,
  patch: { readonly label?: string | undefined; readonly postalAddress?: PostalAddress | undefined },
): Promise<Address> {
  const caller = requireCaller(ctx);
  const postalAddress = patch.postalAddress && parsePostalAddress(patch.postalAddress);
  const { result } = await changeUser(deps, ctx, caller.userId, (user) =>
    user.updateAddress(addressId, { label: patch.label, postalAddress }, deps.clock.now()),
  );
  return result;
}

/** NOT_FOUND when the address is not the caller's, also when it was removed already. */
export async function removeAddress(deps: UsersDeps, ctx: RequestContext, addressId: string): Promise<void> {
  const caller = requireCaller(ctx);
  await changeUser(deps, ctx, caller.userId, (user) => user.removeAddress(addressId, deps.clock.now()));
}

export async function setDefaultAddress(deps: UsersDeps, ctx: RequestContext, addressId: string): Promise<Address> {
  const caller = requireCaller(ctx);
  const { result } = await changeUser(deps, ctx, caller.userId, (user) => user.setDefaultAddress(addressId, deps.clock.now()));
  return result;
}

function encodeAddress(address: Address): string {
  return JSON.stringify(address);
}

function decodeAddress(text: string): Address {
  const raw = JSON.parse(text) as Omit<Address, "createdAt" | "updatedAt"> & { createdAt: string; updatedAt: string };
  return { ...raw, createdAt: new Date(raw.createdAt), updatedAt: new Date(raw.updatedAt) };
}
