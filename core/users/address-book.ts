import { failedPrecondition, invalidField } from "../kit/domain-error.ts";
import { userErrors } from "./user-errors.ts";
import type { PostalAddress } from "./postal-address.ts";

/** A saved address of a user. */
export interface Address {
  readonly id: string;
  readonly label: string;
  readonly postalAddress: PostalAddress;
  readonly isDefault: boolean;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export const MAX_ADDRESSES = 20;
export const MAX_LABEL_LENGTH = 50;

/**
 * A user's addresses as an immutable list with the book's rules: at most MAX_ADDRESSES, exactly
 * one default whenever any exist, the first one saved becomes the default, removing the default
 * promotes the most recent other one. Each operation returns a new list.
 */
export function addAddress(
  book: readonly Address[],
  input: { id: string; label: string; postalAddress: PostalAddress; setAsDefault: boolean },
  now: Date,
): readonly Address[] {
  if (book.length >= MAX_ADDRESSES) {
    throw failedPrecondition("USER.ADDRESS_LIMIT", `at most ${MAX_ADDRESSES} addresses may be saved`);
  }
  const makeDefault = input.setAsDefault || book.length === 0;
  const added: Address = {
    id: input.id,
    label: parseLabel(input.label),
    postalAddress: input.postalAddress,
    isDefault: makeDefault,
    createdAt: now,
    updatedAt: now,
  };
  return [...(makeDefault ? clearDefault(book, now) : book), added];
}

export function updateAddress(
  book: readonly Address[],
  id: string,
  patch: { label?: string | undefined; postalAddress?: PostalAddress | undefined },
  now: Date,
): readonly Address[] {
  const current = find(book, id);
  const label = patch.label === undefined ? current.label : parseLabel(patch.label);
  const postalAddress = patch.postalAddress ?? current.postalAddress;
  if (label === current.label && samePostalAddress(postalAddress, current.postalAddress)) return book;
  return book.map((a) => (a.id === id ? { ...a, label, postalAddress, updatedAt: now } : a));
}

export function removeAddress(book: readonly Address[], id: string, now: Date): readonly Address[] {
  const removed = find(book, id);
  const rest = book.filter((a) => a.id !== id);
  if (!removed.isDefault || rest.length === 0) return rest;
  const newest = [...rest].sort(newestFirst)[0]!;
  return rest.map((a) => (a.id === newest.id ? { ...a, isDefault: true, updatedAt: now } : a));
}

export function setDefaultAddress(book: readonly Address[], id: string, now: Date): readonly Address[] {
  if (find(book, id).isDefault) return book;
  return clearDefault(book, now).map((a) => (a.id === id ? { ...a, isDefault: true, updatedAt: now } : a));
}

/** Default first, then newest first (the order ListAddresses answers in). */
export function listedOrder(book: readonly Address[]): Address[] {
  return [...book].sort((a, b) => Number(b.isDefault) - Number(a.isDefault) || newestFirst(a, b));
}

export function findAddress(book: readonly Address[], id: string): Address {
  return find(book, id);
}

function find(book: readonly Address[], id: string): Address {
  const address = book.find((a) => a.id === id);
  if (!address) throw userErrors.addressNotFound(id);
  return address;
}

function clearDefault(book: readonly Address[], now: Date): readonly Address[] {
  return book.map((a) => (a.isDefault ? { ...a, isDefault: false, updatedAt: now } : a));
}

function newestFirst(a: Address, b: Address): number {
  return b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1);
}

function parseLabel(input: string): string {
  const label = input.trim();
  if ([...label].length > MAX_LABEL_LENGTH) throw invalidField("label", `at most ${MAX_LABEL_LENGTH} characters`);
  return label;
}

function samePostalAddress(a: PostalAddress, b: PostalAddress): boolean {
  return (
    a.recipientName === b.recipientName &&
    a.addressLines.length === b.addressLines.length &&
    a.addressLines.every((line, i) => line === b.addressLines[i]) &&
    a.locality === b.locality &&
    a.administrativeArea === b.administrativeArea &&
    a.postalCode === b.postalCode &&
    a.countryCode === b.countryCode &&
    a.phoneNumber === b.phoneNumber
  );
}
