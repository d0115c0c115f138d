import type { TenantId } from "../kit/request-context.ts";
import { cartErrors } from "./cart-errors.ts";
import type { SkuPrice } from "./price-source.ts";

/** One SKU in a cart, with what catalog said when it was last priced. */
export interface CartLineState {
  readonly sku: string;
  readonly productId: string;
  readonly productName: string;
  readonly imageUrl: string;
  readonly quantity: number;
  readonly unitPriceMinor: number;
  readonly currency: string;
  readonly taxClass: string;
}

export interface CartSnapshot {
  readonly tenantId: TenantId;
  /** `u-<user id>` for a user's cart (one per tenant and user), `g-<random>` for a guest cart. */
  readonly id: string;
  /** Undefined for a guest cart. */
  readonly userId: string | undefined;
  /** In the order first added. */
  readonly lines: readonly CartLineState[];
  /** Upper-cased codes, in the order applied. */
  readonly promotionCodes: readonly string[];
  readonly createdAt: Date;
  readonly updatedAt: Date;
  /** Sliding: every change pushes it to updatedAt + the cart TTL. */
  readonly expiresAt: Date;
  /** +1 on every change; a save from a stale copy is a conflict. */
  readonly version: number;
}

/** Caps every cart obeys. */
export interface CartLimits {
  readonly maxQuantityPerLine: number;
  readonly maxLines: number;
  /** How long an untouched cart lives. */
  readonly ttlMs: number;
}

export const userCartId = (userId: string) => `u-${userId}`;
export const isGuestCartId = (cartId: string) => cartId.startsWith("g-");

/**
 * A shopping cart: lines keyed by SKU, applied promotion codes, a version. Every transition
 * checks the caps and bumps the version once; nothing changes when a check fails.
 */
export class Cart {
  #state: CartSnapshot;
  /** The version as stored when loaded (0 for a new cart): what a save must still find. */
  readonly loadedVersion: number;

  private constructor(state: CartSnapshot, loadedVersion: number) {
    this.#state = state;
    this.loadedVersion = loadedVersion;
  }

  /** A new, empty cart (version 0 until its first change; a user's empty cart is not stored). */
  static open(tenantId: TenantId, id: string, userId: string | undefined, now: Date, limits: CartLimits): Cart {
    return new Cart(
      {
        tenantId,
        id,
        userId,
        lines: [],
        promotionCodes: [],
        createdAt: now,
        updatedAt: now,
        expiresAt: new Date(now.getTime() + limits.ttlMs),
        version: 0,
      },
      0,
    );
  }

  /** A new guest cart, stored at once (version 1) so its id can be used. */
  static openGuest(tenantId: TenantId, id: string, now: Date, limits: CartLimits): Cart {
    const cart = Cart.open(tenantId, id, undefined, now, limits);
    cart.#change({}, now, limits);
    return cart;
  }

  static restore(state: CartSnapshot): Cart {
    return new Cart(state, state.version);
  }

  get id(): string {
    return this.#state.id;
  }

  get tenantId(): TenantId {
    return this.#state.tenantId;
  }

  get lines(): readonly CartLineState[] {
    return this.#state.lines;
  }

  get promotionCodes(): readonly string[] {
    return this.#state.promotionCodes;
  }

  get version(): number {
    return this.#state.version;
  }

  get hasChanges(): boolean {
    return this.#state.version !== this.loadedVersion;
  }

  isExpired(now: Date): boolean {
    return now.getTime() >= this.#state.expiresAt.getTime();
  }

  line(sku: string): CartLineState | undefined {
    return this.#state.lines.find((line) => line.sku === sku);
  }

  snapshot(): CartSnapshot {
    return this.#state;
  }

  /**
   * Adds units to the SKU's line (a new line at the end); `available` is what inventory allows.
   * The price must be in `currency`, the tenant's (lines in another are never summed with it).
   */
  addItem(price: SkuPrice, quantity: number, available: number, currency: string, limits: CartLimits, now: Date): void {
    assertQuantity(quantity);
    if (!price.purchasable) throw cartErrors.notPurchasable(price.sku);
    if (price.currency !== currency) throw cartErrors.currencyMismatch(price.sku, price.currency, currency);
    const existing = this.line(price.sku);
    if (!existing && this.#state.lines.length >= limits.maxLines) throw cartErrors.cartFull(limits.maxLines);
    const wanted = (existing?.quantity ?? 0) + quantity;
    assertWithinCaps(price.sku, wanted, available, limits);
    const line = lineFrom(price, wanted);
    const lines = existing ? this.#state.lines.map((l) => (l.sku === price.sku ? line : l)) : [...this.#state.lines, line];
    this.#change({ lines }, now, limits);
  }

  /** Sets a line's quantity (1..cap). Unchanged quantity: nothing changes. */
  setQuantity(sku: string, quantity: number, available: number, limits: CartLimits, now: Date): void {
    assertQuantity(quantity);
    const existing = this.line(sku);
    if (!existing) throw cartErrors.lineNotFound(sku);
    if (existing.quantity === quantity) return;
    if (quantity > existing.quantity) assertWithinCaps(sku, quantity, available, limits);
    else if (quantity > limits.maxQuantityPerLine) throw cartErrors.aboveLineMaximum(sku, limits.maxQuantityPerLine);
    this.#change({ lines: this.#state.lines.map((l) => (l.sku === sku ? { ...l, quantity } : l)) }, now, limits);
  }

  removeItem(sku: string, limits: CartLimits, now: Date): void {
    if (!this.line(sku)) throw cartErrors.lineNotFound(sku);
    this.#change({ lines: this.#state.lines.filter((l) => l.sku !== sku) }, now, limits);
  }

  /** Removes every line and promotion; an empty cart stays as it is. */
  clear(limits: CartLimits, now: Date): void {
    if (this.#state.lines.length === 0 && this.#state.promotionCodes.length === 0) return;
    this.#change({ lines: [], promotionCodes: [] }, now, limits);
  }

  /** Records an applied code (the use case checked it applies); applying it again changes nothing. */
  applyPromotion(code: string, limits: CartLimits, now: Date): void {
    if (this.#state.promotionCodes.includes(code)) return;
    this.#change({ promotionCodes: [...this.#state.promotionCodes, code] }, now, limits);
  }

  removePromotion(code: string, limits: CartLimits, now: Date): void {
    if (!this.#state.promotionCodes.includes(code)) throw cartErrors.promotionNotApplied(code);
    this.#change({ promotionCodes: this.#state.promotionCodes.filter((c) => c !== code) }, now, limits);
  }

  /** Drops codes that no longer apply (at the next change, as the contract says). */
  dropPromotions(codes: readonly string[], limits: CartLimits, now: Date): void {
    const kept = this.#state.promotionCodes.filter((c) => !codes.includes(c));
    if (kept.length !== this.#state.promotionCodes.length) this.#change({ promotionCodes: kept }, now, limits);
  }

  /**
   * Takes a guest cart's lines: quantities added to existing lines, new lines appended while
   * there is room; every quantity capped by `available` and the per-line maximum (a line with
   * nothing available is left out). Keeps this cart's promotions, or the guest's when it has none.
   */
  absorb(guest: Cart, available: ReadonlyMap<string, number>, limits: CartLimits, now: Date): void {
    let lines = [...this.#state.lines];
    for (const incoming of guest.lines) {
      const cap = Math.min(limits.maxQuantityPerLine, available.get(incoming.sku) ?? limits.maxQuantityPerLine);
      const index = lines.findIndex((l) => l.sku === incoming.sku);
      const current = index >= 0 ? lines[index] : undefined;
      if (current) {
        lines[index] = { ...current, quantity: Math.max(current.quantity, Math.min(current.quantity + incoming.quantity, cap)) };
      } else if (lines.length < limits.maxLines && cap > 0) {
        lines = [...lines, { ...incoming, quantity: Math.min(incoming.quantity, cap) }];
      }
    }
    const promotionCodes = this.#state.promotionCodes.length > 0 ? this.#state.promotionCodes : guest.promotionCodes;
    this.#change({ lines, promotionCodes }, now, limits);
  }

  /** Checkout: new prices and (lowered) quantities for lines; unchanged values change nothing. */
  reprice(updates: readonly { readonly price: SkuPrice; readonly quantity: number }[], limits: CartLimits, now: Date): void {
    const bySku = new Map(updates.map((u) => [u.price.sku, u]));
    let changed = false;
    const lines = this.#state.lines.map((line) => {
      const update = bySku.get(line.sku);
      if (!update) return line;
      const next = lineFrom(update.price, update.quantity);
      if (JSON.stringify(next) !== JSON.stringify(line)) changed = true;
      return next;
    });
    if (changed) this.#change({ lines }, now, limits);
  }

  /**
   * Checkout: the version moves on (once, when nothing else changed it already), so a snapshot
   * frozen now names a version no earlier snapshot had.
   */
  freeze(limits: CartLimits, now: Date): void {
    if (!this.hasChanges) this.#change({}, now, limits);
  }

  #change(patch: Partial<CartSnapshot>, now: Date, limits: CartLimits): void {
    this.#state = {
      ...this.#state,
      ...patch,
      updatedAt: now,
      expiresAt: new Date(now.getTime() + limits.ttlMs),
      version: this.#state.version + 1,
    };
  }
}

function lineFrom(price: SkuPrice, quantity: number): CartLineState {
  return {
    sku: price.sku,
    productId: price.productId,
    productName: price.productName,
    imageUrl: price.imageUrl,
    quantity,
    unitPriceMinor: price.unitPriceMinor,
    currency: price.currency,
    taxClass: price.taxClass,
  };
}

function assertQuantity(quantity: number): void {
  if (!Number.isInteger(quantity) || quantity < 1) throw cartErrors.quantity("must be a whole number of at least 1");
}

function assertWithinCaps(sku: string, quantity: number, available: number, limits: CartLimits): void {
  if (quantity > limits.maxQuantityPerLine) throw cartErrors.aboveLineMaximum(sku, limits.maxQuantityPerLine);
  if (quantity > available) throw cartErrors.aboveAvailability(sku, available);
}
