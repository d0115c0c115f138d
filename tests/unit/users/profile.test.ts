import { describe, expect, it } from "vitest";
import { getProfile, updateProfile } from "../../../core/users/profile.ts";
import { getPreferences, updatePreferences } from "../../../core/users/user-preferences.ts";
import { anonymous, rejection, signedIn, usersFixture } from "./support/users-fixture.ts";

describe("profile", () => {
  it("when a profile is read twice, then the second read comes from the cache; after an update it is fresh", async () => {
    const fx = usersFixture();
    const user = await fx.registered(anonymous());
    const me = signedIn("acme", user.id);
    expect((await getProfile(fx.deps, me)).displayName).toBe("Ada Lovelace");
    expect(await fx.cache.get(me.tenantId, user.id)).toBeDefined();

    await updateProfile(fx.deps, me, { displayName: "Ada King" });
    expect(await fx.cache.get(me.tenantId, user.id)).toBeUndefined();
    expect((await getProfile(fx.deps, me)).displayName).toBe("Ada King");
    expect(fx.eventTypes().at(-1)).toBe("UserProfileUpdated");
  });

  it("when the phone is set and then emptied, then it is stored and removed; a bad number is INVALID_ARGUMENT", async () => {
    const fx = usersFixture();
    const user = await fx.registered(anonymous());
    const me = signedIn("acme", user.id);
    expect((await updateProfile(fx.deps, me, { phoneNumber: "+14155550100" })).phoneNumber).toBe("+14155550100");
    expect((await updateProfile(fx.deps, me, { phoneNumber: "" })).phoneNumber).toBeUndefined();
    expect(await rejection(updateProfile(fx.deps, me, { phoneNumber: "555-1234" }))).toMatchObject({ field: "phone_number" });
  });

  it("when nothing changes, then no event goes out", async () => {
    const fx = usersFixture();
    const user = await fx.registered(anonymous());
    await updateProfile(fx.deps, signedIn("acme", user.id), { displayName: "Ada Lovelace" });
    expect(fx.eventTypes()).not.toContain("UserProfileUpdated");
  });

  it("when no one is signed in, then UNAUTHENTICATED; a token for a user of another tenant finds nobody", async () => {
    const fx = usersFixture();
    const user = await fx.registered(anonymous("acme"));
    expect((await rejection(getProfile(fx.deps, anonymous()))).kind).toBe("unauthenticated");
    expect((await rejection(getProfile(fx.deps, signedIn("globex", user.id)))).kind).toBe("not_found");
  });
});

describe("preferences", () => {
  it("when a user registers, then order and shipping email are in, the rest out, and marketing follows the sign-up choice", async () => {
    const fx = usersFixture();
    const user = await fx.registered(anonymous(), { marketingOptIn: true, locale: "de-DE" });
    const prefs = await getPreferences(fx.deps, signedIn("acme", user.id));
    expect(prefs.locale).toBe("de-DE");
    expect(prefs.choices.filter((c) => c.optedIn).map((c) => `${c.channel}:${c.category}`)).toEqual([
      "email:order_updates",
      "email:shipping_updates",
      "email:marketing",
    ]);
    expect(prefs.choices).toHaveLength(6);
  });

  it("when one pair changes, then the others keep their value and UserPreferencesUpdated goes out once", async () => {
    const fx = usersFixture();
    const user = await fx.registered(anonymous());
    const me = signedIn("acme", user.id);
    const prefs = await updatePreferences(fx.deps, me, {
      choices: [{ channel: "sms", category: "shipping_updates", optedIn: true }],
    });
    expect(prefs.choices.filter((c) => c.optedIn).map((c) => `${c.channel}:${c.category}`)).toEqual([
      "email:order_updates",
      "email:shipping_updates",
      "sms:shipping_updates",
    ]);
    await updatePreferences(fx.deps, me, { choices: [{ channel: "sms", category: "shipping_updates", optedIn: true }] });
    expect(fx.eventTypes().filter((t) => t === "UserPreferencesUpdated")).toHaveLength(1);
    expect(await rejection(updatePreferences(fx.deps, me, { locale: "not a locale", choices: [] }))).toMatchObject({
      field: "locale",
    });
  });
});
