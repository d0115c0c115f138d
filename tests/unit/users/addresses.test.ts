import { describe, expect, it } from "vitest";
import { addAddress, listAddresses, removeAddress, setDefaultAddress, updateAddress } from "../../../core/users/addresses.ts";
import type { PostalAddress } from "../../../core/users/postal-address.ts";
import { anonymous, rejection, signedIn, usersFixture } from "./support/users-fixture.ts";

function aPostalAddress(overrides: Partial<PostalAddress> = {}): PostalAddress {
  return {
    recipientName: "Ada Lovelace",
    addressLines: ["12 St James's Square"],
    locality: "London",
    administrativeArea: "",
    postalCode: "SW1Y 4JH",
    countryCode: "GB",
    phoneNumber: "",
    ...overrides,
  };
}

let keys = 0;
const anAddress = (label: string, setAsDefault = false, postal: Partial<PostalAddress> = {}) => ({
  label,
  postalAddress: aPostalAddress(postal),
  setAsDefault,
  idempotencyKey: `address-key-${++keys}`,
});

async function signedInUser() {
  const fx = usersFixture();
  const user = await fx.registered(anonymous());
  return { fx, me: signedIn("acme", user.id), userId: user.id };
}

describe("addresses", () => {
  it("when the first address is saved, then it is the default; a later one asked as default takes over", async () => {
    const { fx, me } = await signedInUser();
    const home = await addAddress(fx.deps, me, anAddress("Home"));
    expect(home.isDefault).toBe(true);
    fx.clock.advance(1_000);
    const office = await addAddress(fx.deps, me, anAddress("Office", true));
    fx.clock.advance(1_000);
    await addAddress(fx.deps, me, anAddress("Cottage"));
    expect((await listAddresses(fx.deps, me)).map((a) => [a.label, a.isDefault])).toEqual([
      ["Office", true],
      ["Cottage", false],
      ["Home", false],
    ]);
    expect((await setDefaultAddress(fx.deps, me, home.id)).isDefault).toBe(true);
    expect((await listAddresses(fx.deps, me)).filter((a) => a.isDefault).map((a) => a.id)).toEqual([home.id]);
    expect(office.isDefault).toBe(true);
  });

  it("when the default is removed, then the most recent other one becomes the default", async () => {
    const { fx, me } = await signedInUser();
    const home = await addAddress(fx.deps, me, anAddress("Home"));
    fx.clock.advance(1_000);
    await addAddress(fx.deps, me, anAddress("Office"));
    fx.clock.advance(1_000);
    const cottage = await addAddress(fx.deps, me, anAddress("Cottage"));
    await removeAddress(fx.deps, me, home.id);
    const left = await listAddresses(fx.deps, me);
    expect(left.map((a) => [a.id, a.isDefault])).toEqual([
      [cottage.id, true],
      [expect.any(String), false],
    ]);
    expect((await rejection(removeAddress(fx.deps, me, home.id))).kind).toBe("not_found");
  });

  it("when AddAddress is replayed with its key, then the first address comes back and only one is saved", async () => {
    const { fx, me } = await signedInUser();
    const input = anAddress("Home");
    const first = await addAddress(fx.deps, me, input);
    fx.clock.advance(1_000);
    expect(await addAddress(fx.deps, me, input)).toEqual(first);
    expect(await listAddresses(fx.deps, me)).toHaveLength(1);
    expect(await rejection(addAddress(fx.deps, me, { ...input, label: "Other" }))).toMatchObject({ field: "idempotency_key" });
  });

  it("when twenty addresses are saved, then the twenty-first is FAILED_PRECONDITION", async () => {
    const { fx, me } = await signedInUser();
    for (let i = 0; i < 20; i++) await addAddress(fx.deps, me, anAddress(`#${i}`));
    expect(await rejection(addAddress(fx.deps, me, anAddress("one too many")))).toMatchObject({
      kind: "failed_precondition",
      code: "USER.ADDRESS_LIMIT",
    });
  });

  it("when an address is someone else's, then NOT_FOUND for update, remove and set default", async () => {
    const { fx, me } = await signedInUser();
    const mine = await addAddress(fx.deps, me, anAddress("Home"));
    const other = await fx.registered(anonymous(), { email: "bob@example.com" });
    const bob = signedIn("acme", other.id);
    expect((await rejection(updateAddress(fx.deps, bob, mine.id, { label: "Mine now" }))).kind).toBe("not_found");
    expect((await rejection(removeAddress(fx.deps, bob, mine.id))).kind).toBe("not_found");
    expect((await rejection(setDefaultAddress(fx.deps, bob, mine.id))).kind).toBe("not_found");
    expect((await listAddresses(fx.deps, me))[0]!.label).toBe("Home");
  });

  it("when an address is updated, then only the fields given change; a bad field is named", async () => {
    const { fx, me } = await signedInUser();
    const home = await addAddress(fx.deps, me, anAddress("Home"));
    fx.clock.advance(1_000);
    const updated = await updateAddress(fx.deps, me, home.id, { postalAddress: aPostalAddress({ locality: "Bath" }) });
    expect(updated).toMatchObject({ label: "Home", postalAddress: { locality: "Bath" } });
    expect(updated.updatedAt.getTime()).toBeGreaterThan(home.updatedAt.getTime());
    const error = await rejection(
      updateAddress(fx.deps, me, home.id, { postalAddress: aPostalAddress({ addressLines: ["x".repeat(201)] }) }),
    );
    expect(error.field).toBe("postal_address.address_lines[0]");
    expect((await rejection(updateAddress(fx.deps, me, home.id, { label: "l".repeat(51) }))).field).toBe("label");
  });
});
