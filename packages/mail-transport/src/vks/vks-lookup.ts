// The Verifying Keyserver (VKS) API of keys.openpgp.org: GET /vks/v1/by-email/<address> and
// /vks/v1/by-fingerprint/<FINGERPRINT>, each returning one armored certificate or 404. The
// server publishes a User ID only after its owner confirmed the address, but the caller must
// still check the returned certificate; the base URL is configurable, with no default here.

import { TransportError } from '../transport-error.ts';
import { httpsGet, type KeyLookupOptions } from '../wkd/https-get.ts';

export interface VksResult {
  url: string;
  /** The response body: an armored OpenPGP certificate. */
  keydata: Uint8Array;
}

/** Looks up the certificate published for `address`. Returns null on 404. */
export async function lookupVksByEmail(
  baseUrl: string,
  address: string,
  options: KeyLookupOptions = {},
): Promise<VksResult | null> {
  if (typeof address !== 'string' || !/^[^\s@]+@[^\s@]+$/.test(address)) {
    throw new TransportError(
      'INVALID_ARGUMENT',
      `VKS needs an address local@domain, got ${JSON.stringify(address)}.`,
    );
  }
  return fetchVks(vksUrl(baseUrl, `by-email/${encodeURIComponent(address)}`), options);
}

/** Looks up the certificate with primary or subkey fingerprint `fingerprint`. Returns null on 404. */
export async function lookupVksByFingerprint(
  baseUrl: string,
  fingerprint: string,
  options: KeyLookupOptions = {},
): Promise<VksResult | null> {
  const normalized = typeof fingerprint === 'string' ? fingerprint.replace(/\s+/g, '') : '';
  if (!/^(?:[0-9a-fA-F]{40}|[0-9a-fA-F]{64})$/.test(normalized)) {
    throw new TransportError(
      'INVALID_ARGUMENT',
      `VKS needs a fingerprint of 40 or 64 hex digits, got ${JSON.stringify(fingerprint)}.`,
    );
  }
  // The API expects upper-case hex (keys.openpgp.org VKS API documentation).
  return fetchVks(vksUrl(baseUrl, `by-fingerprint/${normalized.toUpperCase()}`), options);
}

function vksUrl(baseUrl: string, path: string): URL {
  let base: URL;
  try {
    base = new URL(baseUrl);
  } catch (error) {
    throw new TransportError('INVALID_ARGUMENT', `VKS base URL ${baseUrl} is not a URL.`, {
      cause: error,
    });
  }
  if (base.protocol !== 'https:') {
    throw new TransportError('INVALID_ARGUMENT', `VKS base URL ${baseUrl} must use https.`);
  }
  return new URL(`${base.origin}${base.pathname.replace(/\/+$/, '')}/vks/v1/${path}`);
}

async function fetchVks(url: URL, options: KeyLookupOptions): Promise<VksResult | null> {
  const response = await httpsGet(url, options);
  if (response.status === 404) return null;
  if (response.status !== 200) {
    throw new TransportError(
      'KEY_LOOKUP_FAILED',
      `VKS lookup at ${url.origin} answered HTTP ${response.status}; expected 200 or 404.`,
    );
  }
  return { url: url.href, keydata: response.body };
}
