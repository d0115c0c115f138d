/** How a user can be reached, and what about. */
export type NotificationChannel = "email" | "sms";
export type NotificationCategory = "order_updates" | "shipping_updates" | "marketing";

export const CHANNELS: readonly NotificationChannel[] = ["email", "sms"];
export const CATEGORIES: readonly NotificationCategory[] = ["order_updates", "shipping_updates", "marketing"];

export interface ChannelChoice {
  readonly channel: NotificationChannel;
  readonly category: NotificationCategory;
  readonly optedIn: boolean;
}

/**
 * A user's preferences: a locale ("" = the tenant default) and the opt-in choices the user made
 * explicitly. A pair without a choice takes the default: order and shipping updates by email
 * are in, everything else is out.
 */
export interface Preferences {
  readonly locale: string;
  readonly choices: readonly ChannelChoice[];
}

export const DEFAULT_PREFERENCES: Preferences = { locale: "", choices: [] };

export function defaultOptIn(channel: NotificationChannel, category: NotificationCategory): boolean {
  return channel === "email" && category !== "marketing";
}

/** Every channel x category pair with the user's choice or the default, in a fixed order. */
export function effectiveChoices(preferences: Preferences): ChannelChoice[] {
  return CHANNELS.flatMap((channel) =>
    CATEGORIES.map((category) => ({
      channel,
      category,
      optedIn:
        preferences.choices.find((c) => c.channel === channel && c.category === category)?.optedIn ??
        defaultOptIn(channel, category),
    })),
  );
}

/** The preferences with `changes` applied (a later change of the same pair wins); the rest kept. */
export function applyChoices(preferences: Preferences, changes: readonly ChannelChoice[]): Preferences {
  let choices = [...preferences.choices];
  for (const change of changes) {
    choices = [
      ...choices.filter((c) => c.channel !== change.channel || c.category !== change.category),
      { channel: change.channel, category: change.category, optedIn: change.optedIn },
    ];
  }
  const order = (c: ChannelChoice) => CHANNELS.indexOf(c.channel) * CATEGORIES.length + CATEGORIES.indexOf(c.category);
  return { locale: preferences.locale, choices: choices.sort((a, b) => order(a) - order(b)) };
}

/** Same locale and the same explicit choices (both kept in the order applyChoices leaves them). */
export function samePreferences(a: Preferences, b: Preferences): boolean {
  return (
    a.locale === b.locale &&
    a.choices.length === b.choices.length &&
    a.choices.every((c, i) => {
      const d = b.choices[i]!;
      return c.channel === d.channel && c.category === d.category && c.optedIn === d.optedIn;
    })
  );
}
