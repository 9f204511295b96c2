// Web Key Directory lookup (draft-koch-openpgp-webkey-service, section 3.1): the advanced
// method at https://openpgpkey.<domain>/.well-known/openpgpkey/<domain>/hu/<hash>?l=<local>,
// and the direct method at https://<domain>/.well-known/openpgpkey/hu/<hash>?l=<local> only
// when the openpgpkey sub-domain does not exist. The returned bytes are not checked as
// OpenPGP here; the caller must read them and require a User ID with the looked-up address.

import { createHash } from 'node:crypto';
import { TransportError } from '../transport-error.ts';
import { httpsGet, HostNotFoundError, type KeyLookupOptions } from './https-get.ts';
import { zbase32Encode } from './zbase32.ts';

export interface WkdUrls {
  advanced: URL;
  direct: URL;
}

export interface WkdResult {
  method: 'advanced' | 'direct';
  url: string;
  /** The response body: binary OpenPGP key data, as the draft requires. */
  keydata: Uint8Array;
}

/** Builds both WKD URLs for `address`. */
export function wkdUrls(address: string): WkdUrls {
  const at = typeof address === 'string' ? address.lastIndexOf('@') : -1;
  if (at <= 0 || at === address.length - 1 || /\s/.test(address)) {
    throw new TransportError(
      'INVALID_ARGUMENT',
      `WKD needs an address local@domain, got ${JSON.stringify(address)}.`,
    );
  }
  const local = address.slice(0, at);
  const domain = address.slice(at + 1).toLowerCase();
  // Only ASCII upper-case letters are mapped to lower case before hashing (section 3.1).
  const lowered = local.replace(/[A-Z]/g, (letter) => letter.toLowerCase());
  const hash = zbase32Encode(createHash('sha1').update(lowered, 'utf8').digest());
  const query = `?l=${encodeURIComponent(local)}`;
  return {
    advanced: new URL(
      `https://openpgpkey.${domain}/.well-known/openpgpkey/${encodeURIComponent(domain)}/hu/${hash}${query}`,
    ),
    direct: new URL(`https://${domain}/.well-known/openpgpkey/hu/${hash}${query}`),
  };
}

/** Looks `address` up in its domain's Web Key Directory. Returns null when no key is published. */
export async function lookupWkd(
  address: string,
  options: KeyLookupOptions = {},
): Promise<WkdResult | null> {
  const urls = wkdUrls(address);
  try {
    return await fetchKey('advanced', urls.advanced, options);
  } catch (error) {
    if (!(error instanceof HostNotFoundError)) throw error;
  }
  try {
    return await fetchKey('direct', urls.direct, options);
  } catch (error) {
    if (error instanceof HostNotFoundError) return null;
    throw error;
  }
}

async function fetchKey(
  method: WkdResult['method'],
  url: URL,
  options: KeyLookupOptions,
): Promise<WkdResult | null> {
  const response = await httpsGet(url, options);
  if (response.status === 404) return null;
  if (response.status !== 200) {
    throw new TransportError(
      'KEY_LOOKUP_FAILED',
      `WKD lookup at ${url.origin} answered HTTP ${response.status}; expected 200 or 404.`,
    );
  }
  if (response.body.length === 0) return null;
  return { method, url: url.href, keydata: response.body };
}
