import { invalidField } from "../kit/domain-error.ts";

/** A postal address as written on a parcel (shop.common.v1.PostalAddress, in core terms). */
export interface PostalAddress {
  readonly recipientName: string;
  readonly addressLines: readonly string[];
  readonly locality: string;
  readonly administrativeArea: string;
  readonly postalCode: string;
  readonly countryCode: string;
  readonly phoneNumber: string;
}

const COUNTRY_PATTERN = /^[A-Z]{2}$/;
const PHONE_PATTERN = /^\+[1-9][0-9]{6,14}$/;

/** Checks every field; the field at fault is named under `field` (`postal_address.locality`). */
export function parsePostalAddress(input: PostalAddress, field = "postal_address"): PostalAddress {
  const text = (name: string, value: string, max: number, required: boolean) => {
    const trimmed = value.trim();
    if (required && trimmed.length === 0) throw invalidField(`${field}.${name}`, "required");
    if ([...trimmed].length > max) throw invalidField(`${field}.${name}`, `at most ${max} characters`);
    return trimmed;
  };
  if (input.addressLines.length < 1 || input.addressLines.length > 3) {
    throw invalidField(`${field}.address_lines`, "1 to 3 lines");
  }
  const addressLines = input.addressLines.map((line, i) => text(`address_lines[${i}]`, line, 200, true));
  const countryCode = input.countryCode.trim();
  if (!COUNTRY_PATTERN.test(countryCode)) throw invalidField(`${field}.country_code`, "must be an ISO 3166-1 alpha-2 code");
  const phoneNumber = input.phoneNumber.trim();
  if (phoneNumber && !PHONE_PATTERN.test(phoneNumber)) throw invalidField(`${field}.phone_number`, "must be E.164");
  return {
    recipientName: text("recipient_name", input.recipientName, 200, true),
    addressLines,
    locality: text("locality", input.locality, 100, true),
    administrativeArea: text("administrative_area", input.administrativeArea, 100, false),
    postalCode: text("postal_code", input.postalCode, 20, false),
    countryCode,
    phoneNumber,
  };
}
