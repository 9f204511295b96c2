// Splitting and checking the To, Cc and Bcc fields of the composer before they reach the API.
// The check mirrors the core's boundary check (RFC 5322 addr-spec without comments or quoted
// local parts), so the user sees which entry is wrong. The core still validates every call.

const ADDRESS_PATTERN = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]+$/;

/** Splits an address field at commas, semicolons and line breaks, but not at spaces. */
export function splitAddresses(value: string): string[] {
  return value
    .split(/[,;\r\n]+/)
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
}

/** Returns a message naming the first invalid entry of `field`, or null when all are valid. */
export function invalidAddressMessage(field: string, addresses: string[]): string | null {
  const invalid = addresses.find((address) => !ADDRESS_PATTERN.test(address));
  if (invalid === undefined) return null;
  return `'${invalid}' is not a valid e-mail address in ${field}; separate addresses with commas.`;
}
