// The Autocrypt-Gossip header of Autocrypt Level 1 (section "Key Gossip"): keys of the other
// recipients, carried inside the encrypted payload of a message to several people. A gossip
// key is only a hint from the sender, so it must never replace a key seen from its owner directly.

import { formatAutocryptAttributes, parseAutocryptAttributes } from './autocrypt-attributes.ts';
import { assertArgument } from '../transport-error.ts';

// prefer-encrypt is listed so that a sender who adds it does not invalidate the header. Its value is dropped.
const GOSSIP_ATTRIBUTES = ['addr', 'prefer-encrypt', 'keydata'];

export interface GossipHeader {
  /** The addr attribute, lowercased. */
  addr: string;
  keydata: Uint8Array;
}

/** Formats the value of an Autocrypt-Gossip header (without the name), folded to 78 characters. */
export function formatGossipHeader(fields: { addr: string; keydata: Uint8Array }): string {
  assertArgument(
    typeof fields === 'object' && fields !== null,
    'Autocrypt-Gossip fields must be an object',
  );
  return formatAutocryptAttributes('Autocrypt-Gossip', [['addr', fields.addr]], fields.keydata);
}

/**
 * Parses the Autocrypt-Gossip header values of a decrypted payload. Only headers whose addr is
 * one of `recipientAddresses` (the To and Cc of the message) count. An address with two
 * gossip headers that carry different keys gets none, because the sender was ambiguous.
 */
export function parseGossipHeaders(
  values: ReadonlyArray<string>,
  recipientAddresses: ReadonlyArray<string>,
): GossipHeader[] {
  if (!Array.isArray(values) || !Array.isArray(recipientAddresses)) return [];
  const recipients = new Set(recipientAddresses.map((address) => address.trim().toLowerCase()));

  const byAddr = new Map<string, GossipHeader | null>();
  for (const value of values) {
    const attributes = parseAutocryptAttributes(value, GOSSIP_ATTRIBUTES);
    if (!attributes || !recipients.has(attributes.addr)) continue;

    const earlier = byAddr.get(attributes.addr);
    if (earlier === undefined) {
      byAddr.set(attributes.addr, { addr: attributes.addr, keydata: attributes.keydata });
    } else if (earlier !== null && !Buffer.from(earlier.keydata).equals(attributes.keydata)) {
      byAddr.set(attributes.addr, null);
    }
  }
  return [...byAddr.values()].filter((header): header is GossipHeader => header !== null);
}
