// Import of keys from a file: certificates become contacts (pinned on first sight) and a secret
// key becomes an identity, re-protected with the Sealpost passphrase. GnuPG exports are read,
// including Trust packets. Parts of a certificate that cannot be used are listed, not dropped
// silently.

import type { Logger } from 'pino';
import type { Store } from '@sealpost/storage';
import {
  listIgnoredParts,
  protectSecretKey,
  readCertificate,
  readCertificates,
} from '@sealpost/crypto-core';
import type { CertificateInfo, IgnoredPart } from '@sealpost/crypto-core';
import type { AuditLog } from './audit-log.ts';
import { CoreError, errorCode } from './errors.ts';

export interface ImportResult {
  /** Subkeys and User IDs of the certificate that were not used, with the reason. */
  ignored?: IgnoredPart[];
  kind: 'certificate' | 'secret-key';
  address: string;
  fingerprint: string;
  summary: string;
}

/** The parts of the key service that an import uses. */
export interface ImportContext {
  store: Store;
  /** Returns the Sealpost passphrase, which protects an imported secret key. */
  passphrase: () => string;
  log: Logger;
  audit: AuditLog;
}

/** Description of the data a key import expects, for errors about input without a key. */
export const KEY_DATA_EXPECTED =
  'an OpenPGP certificate or secret key, armored or binary, such as the output of "gpg --armor --export ADDRESS"';

/** Returns true when `data` has no bytes other than spaces, tabs and line breaks. */
export function isBlankKeyData(data: Uint8Array): boolean {
  return data.every((byte) => byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d);
}

/** Imports every key in `data`: each certificate, or the one secret key. */
export async function importKeys(
  context: ImportContext,
  data: Uint8Array,
  options: { keyPassphrase: string | null; replacePinned: boolean },
): Promise<ImportResult[]> {
  // Checked here because crypto-core reports blank input as "Certificates is empty" or as a
  // malformed key, which names neither the input nor what it should contain.
  if (isBlankKeyData(data)) {
    throw new CoreError('INVALID_ARGUMENT', `The key data is empty; pass ${KEY_DATA_EXPECTED}.`);
  }
  if (isSecretKeyData(data)) {
    return [await importSecretKey(context, data, options.keyPassphrase)];
  }

  const certificates = await readCertificates(data);
  const results: ImportResult[] = [];
  for (const certificate of certificates) {
    results.push(importCertificate(context, certificate, options.replacePinned));
  }

  // Parts that cannot be used (unknown algorithms, bad bindings) are dropped, so the result lists them.
  if (certificates.length === 1 && results[0]) {
    const text = Buffer.from(data).toString('latin1');
    const ignored = await listIgnoredParts(text.includes('-----BEGIN PGP') ? text : data);
    const notes = ignored.map((part) => `Ignored ${part.kind} ${part.id}: ${part.reason}.`);
    results[0] = {
      ...results[0],
      ignored,
      summary: [results[0].summary, ...notes].join('\n'),
    };
  }
  return results;
}

async function importSecretKey(
  context: ImportContext,
  data: Uint8Array,
  keyPassphrase: string | null,
): Promise<ImportResult> {
  const sealpostPassphrase = context.passphrase();
  const secretKey = await protectSecretKey(
    data,
    sealpostPassphrase,
    keyPassphrase ?? sealpostPassphrase,
  ).catch((error: unknown) => {
    // Without a key passphrase the Sealpost passphrase is tried, so "wrong" would mislead.
    if (keyPassphrase !== null || errorCode(error) !== 'INVALID_PASSPHRASE') throw error;
    throw new CoreError(
      'PASSPHRASE_REQUIRED',
      'The secret key in this file is protected by a passphrase, and none was given. Put ' +
        'the key passphrase in a file and pass it with --key-passphrase-file FILE.',
      { cause: error },
    );
  });
  const certificate = await readCertificate(secretKey);
  const address = certificate.addresses[0];
  if (!address) {
    throw new CoreError(
      'INVALID_ARGUMENT',
      `Key ${certificate.fingerprint} has no User ID with an e-mail address.`,
    );
  }
  if (!certificate.hasEncryptionSubkey) {
    throw new CoreError(
      'KEY_UNUSABLE',
      `Key ${certificate.fingerprint} has no valid encryption subkey, so nobody could write to you with it; add one in GnuPG (gpg --quick-add-key FINGERPRINT cv25519 encr) or create a key with "sealpost key generate".`,
    );
  }
  const existing = context.store.identities.getByAddress(address);
  if (existing) {
    throw new CoreError(
      'INVALID_ARGUMENT',
      `${address} already has a key (${existing.fingerprint}), and Sealpost keeps one key per ` +
        `address, so ${certificate.fingerprint} was not imported. To use it instead, import ` +
        'it into a new, empty data folder (SEALPOST_HOME) and add the account there.',
    );
  }

  context.store.identities.insert({
    address,
    fingerprint: certificate.fingerprint,
    certificate: certificate.armored,
    secretKey,
    revocationCertificate: null,
    accountId: context.store.accounts.getByEmail(address)?.id ?? null,
  });
  context.log.info({ fingerprint: certificate.fingerprint }, 'secret key imported');
  context.audit.record('import', certificate.fingerprint, { part: 'secret-key' });
  return {
    kind: 'secret-key',
    address,
    fingerprint: certificate.fingerprint,
    summary: `Imported your secret key ${certificate.fingerprint} for ${address}, now protected by Sealpost's keystore.`,
  };
}

function importCertificate(
  context: ImportContext,
  certificate: CertificateInfo,
  replacePinned: boolean,
): ImportResult {
  if (certificate.addresses.length === 0) {
    throw new CoreError(
      'INVALID_ARGUMENT',
      `Certificate ${certificate.fingerprint} has no User ID with an e-mail address.`,
    );
  }
  // A key without an encryption subkey would only fail later, at send time, so it is rejected now.
  if (!certificate.hasEncryptionSubkey) {
    throw new CoreError(
      'KEY_UNUSABLE',
      `Certificate ${certificate.fingerprint} has no valid encryption subkey (it may be revoked, expired or sign-only); ask its owner for a current certificate.`,
    );
  }

  const outcomes: string[] = [];
  for (const address of certificate.addresses) {
    const recorded = context.store.contacts.recordCertificate(
      {
        address,
        fingerprint: certificate.fingerprint,
        certificate: certificate.armored,
        source: 'import',
        seenAt: new Date(),
      },
      { replacePinned },
    );
    outcomes.push(describeOutcome(address, certificate.fingerprint, recorded.outcome));
  }
  context.log.info({ fingerprint: certificate.fingerprint }, 'certificate imported');
  return {
    kind: 'certificate',
    address: certificate.addresses[0]!,
    fingerprint: certificate.fingerprint,
    summary: outcomes.join('\n'),
  };
}

/** Returns true for a secret key, judged by the armor header or the first packet's tag (5). */
function isSecretKeyData(data: Uint8Array): boolean {
  const head = Buffer.from(data.subarray(0, 4096)).toString('latin1');
  if (head.includes('-----BEGIN PGP'))
    return head.includes('-----BEGIN PGP PRIVATE KEY BLOCK-----');

  // RFC 9580 section 4.2: bit 6 set means the new packet format with the tag in bits 0-5.
  const first = data[0] ?? 0;
  const tag = first & 0x40 ? first & 0x3f : (first >> 2) & 0x0f;
  return tag === 5;
}

function describeOutcome(address: string, fingerprint: string, outcome: string): string {
  switch (outcome) {
    case 'new':
      return `Imported ${fingerprint} for ${address}; it is now the pinned key for that address.`;
    case 'unchanged':
    case 'updated':
      return `${fingerprint} for ${address} was already known; refreshed it.`;
    case 'replaced':
      return `${fingerprint} now replaces the previously pinned key of ${address}.`;
    default:
      return `WARNING: ${address} already has a different pinned key. ${fingerprint} was recorded but is not used; check it with the contact and import again with --replace.`;
  }
}
