// OpenPGP fingerprints as the CLI prints them: uppercase hex in groups of four, as GnuPG shows
// them, so the user can read a fingerprint out group by group and compare it with the CLI's.
// v4 fingerprints have 40 hex digits and v6 fingerprints 64 (RFC 9580 section 5.5.4).

const FINGERPRINT_IN_TEXT = /\b(?:[0-9a-fA-F]{64}|[0-9a-fA-F]{40})\b/g;

export function formatFingerprint(fingerprint: string): string {
  return fingerprint.toUpperCase().replace(/(.{4})(?!$)/g, '$1 ');
}

/** Formats every 40- or 64-digit hex run in `text`, such as the fingerprints in core's status words. */
export function formatFingerprintsIn(text: string): string {
  return text.replace(FINGERPRINT_IN_TEXT, formatFingerprint);
}
