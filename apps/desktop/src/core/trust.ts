// Trust decisions on contact keys: verifying a pinned fingerprint by comparison or by an
// openpgp4fpr: URI read from a QR code, drawing such a QR code as PNG, and accepting a changed
// key after the user checked it. Pinning itself (first key seen wins) is in the store; a key
// changes only through acceptKey here or an import with --replace.

import QRCode from 'qrcode';
import type { Store, VerificationMethod } from '@sealpost/storage';
import { normalizeAddress } from './addresses.ts';
import { CoreError } from './errors.ts';
import type { KeyService } from './keys.ts';

export interface VerificationResult {
  address: string;
  fingerprint: string;
  method: VerificationMethod;
}

/** Builds the openpgp4fpr: URI of a fingerprint, with the address as Delta Chat adds it (`#a=`). */
export function openpgp4fprUri(fingerprint: string, address: string | null = null): string {
  const hex = normalizeFingerprint(fingerprint, 'fingerprint');
  const fragment = address === null ? '' : `#a=${encodeURIComponent(address)}`;
  return `OPENPGP4FPR:${hex.toUpperCase()}${fragment}`;
}

/** Reads the fingerprint and optional address out of an openpgp4fpr: URI (case-insensitive). */
export function parseOpenpgp4fprUri(uri: string): { fingerprint: string; address: string | null } {
  const match = /^openpgp4fpr:([0-9a-f]{40}|[0-9a-f]{64})(?:#(.*))?$/i.exec(uri.trim());
  if (!match) {
    throw new CoreError(
      'INVALID_ARGUMENT',
      `${JSON.stringify(uri.slice(0, 100))} is not an openpgp4fpr: URI with a 40- or 64-digit fingerprint; scan the code again.`,
    );
  }
  const address = new URLSearchParams(match[2] ?? '').get('a');
  return { fingerprint: match[1]!.toLowerCase(), address: address ? address.toLowerCase() : null };
}

export class TrustService {
  constructor(
    private readonly store: Store,
    private readonly keys: KeyService,
  ) {}

  /**
   * Marks the pinned key of `address` as verified when `fingerprint` equals it. Raises
   * FINGERPRINT_MISMATCH otherwise, naming a changed key that matches so the user can accept it.
   */
  verify(
    addressInput: string,
    fingerprintInput: string,
    method: VerificationMethod,
  ): VerificationResult {
    const address = normalizeAddress(addressInput, 'address');
    const fingerprint = normalizeFingerprint(fingerprintInput, 'fingerprint');
    const pinned = this.store.contacts.getPinned(address);
    if (!pinned) {
      throw new CoreError(
        'KEY_NOT_FOUND',
        `No key is pinned for ${address}; import or look up their certificate first.`,
      );
    }
    if (pinned.fingerprint !== fingerprint) {
      const other = this.store.contacts
        .listCertificates(address)
        .find((certificate) => certificate.fingerprint === fingerprint);
      const hint =
        other?.status === 'changed'
          ? ` It matches the changed key seen later; if ${address} confirms the change, run "sealpost contacts accept-key ${address} ${fingerprint}".`
          : ' Do not trust this key until you have checked it with the contact.';
      throw new CoreError(
        'FINGERPRINT_MISMATCH',
        `The fingerprint ${fingerprint} does not match the key pinned for ${address} (${pinned.fingerprint}).${hint}`,
      );
    }
    this.store.contactTrust.recordVerification({
      address,
      fingerprint,
      method,
      verifiedAt: new Date(),
    });
    return { address, fingerprint, method };
  }

  /** Verifies with the URI read from a QR code; its `#a=` address, if any, must match. */
  verifyUri(addressInput: string, uri: string): VerificationResult {
    const address = normalizeAddress(addressInput, 'address');
    const parsed = parseOpenpgp4fprUri(uri);
    if (parsed.address !== null && parsed.address !== address) {
      throw new CoreError(
        'FINGERPRINT_MISMATCH',
        `The QR code is for ${parsed.address}, not ${address}; scan the code of ${address}.`,
      );
    }
    return this.verify(address, parsed.fingerprint, 'qr-code');
  }

  /**
   * Pins the changed key `fingerprint` of `address` after the user checked it, and marks the
   * previous key replaced. With `verified`, the user compared the full fingerprint with the
   * contact, so the new key is also recorded as verified by fingerprint. Raises
   * CONTACT_CERTIFICATE_NOT_FOUND for an unknown fingerprint.
   */
  acceptKey(
    addressInput: string,
    fingerprintInput: string,
    options: { verified?: boolean } = {},
  ): { address: string; fingerprint: string; previous: string | null; verified: boolean } {
    const address = normalizeAddress(addressInput, 'address');
    const fingerprint = normalizeFingerprint(fingerprintInput, 'fingerprint');
    const previous = this.store.contacts.getPinned(address)?.fingerprint ?? null;
    const pinned = this.store.contacts.acknowledgeChange(address, fingerprint, { pin: true });
    const verified = options.verified === true;
    if (verified) this.verify(address, pinned.fingerprint, 'fingerprint');
    return { address, fingerprint: pinned.fingerprint, previous, verified };
  }

  /** Draws the openpgp4fpr: QR code of the user's own key for `address` as PNG bytes. */
  async ownQrCode(addressInput: string): Promise<{ uri: string; png: Buffer }> {
    const address = normalizeAddress(addressInput, '--address');
    const identity = this.keys.list().find((entry) => entry.address === address);
    if (!identity) {
      throw new CoreError(
        'IDENTITY_NOT_FOUND',
        `There is no key for ${address}; create one with "sealpost key generate --address ${address}".`,
      );
    }
    const uri = openpgp4fprUri(identity.fingerprint, address);
    const png = await QRCode.toBuffer(uri, {
      type: 'png',
      errorCorrectionLevel: 'M',
      margin: 4,
      scale: 6,
    });
    return { uri, png };
  }
}

function normalizeFingerprint(value: string, field: string): string {
  const hex = typeof value === 'string' ? value.replace(/[\s:]/g, '').toLowerCase() : '';
  if (!/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(hex)) {
    throw new CoreError(
      'INVALID_ARGUMENT',
      `${field} ${JSON.stringify(String(value).slice(0, 100))} is not a fingerprint; give all 40 (v4) or 64 (v6) hex digits.`,
    );
  }
  return hex;
}
