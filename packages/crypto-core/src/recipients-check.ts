// Checks a produced OpenPGP message against its intended recipients: every recipient must have
// a Public-Key Encrypted Session Key packet (RFC 9580 section 5.1) for the encryption subkey
// chosen for it, classical or ML-KEM-768+X25519 (RFC 9980 algorithm 35). An anonymous PKESK
// (wildcard key ID) matches no recipient, so such a message fails the check (fail closed).
import { PublicKeyEncryptedSessionKeyPacket, readMessage, UnparseablePacket } from 'openpgp';
import { parseCertificate } from './certificate.ts';
import { openpgpConfig, openpgpFullConfig } from './config.ts';
import { CryptoError, describeError } from './errors.ts';
import { decodeOpenPgpData, optionalDate, requireArray, type OpenPgpData } from './input.ts';
import { planRecipient, type EncryptionMode } from './pq/encryption-plan.ts';
import { readKeyBlockPackets } from './pq/pq-certificate.ts';
import { pkeskTag, readPkeskRecipient } from './pq/pkesk.ts';
import { toHex } from './pq/mlkem-x25519-key.ts';

export interface RecipientsCheckOptions {
  /** The encrypted message, armored or binary. */
  message: OpenPgpData;
  recipientCertificates: OpenPgpData[];
  /** The mode the message was encrypted in, which decides the subkey chosen per recipient. */
  mode: EncryptionMode;
  /** The date the subkeys were chosen at; defaults to now. */
  date?: Date;
}

/** Key IDs and fingerprints (lowercase hex) of every PKESK recipient in a message. */
export interface PkeskRecipients {
  keyIds: string[];
  fingerprints: string[];
}

/** Lists the recipients named by the PKESK packets of a message, of any algorithm. */
export async function listPkeskRecipients(data: OpenPgpData): Promise<PkeskRecipients> {
  const decoded = decodeOpenPgpData(data, 'message');
  let message;
  try {
    message =
      'armored' in decoded
        ? await readMessage({ armoredMessage: decoded.armored, config: openpgpConfig })
        : await readMessage({ binaryMessage: decoded.binary, config: openpgpConfig });
  } catch (error) {
    throw new CryptoError(
      'MESSAGE_MALFORMED',
      `The encrypted message could not be read (${describeError(error)}).`,
      { cause: error },
    );
  }

  const keyIds: string[] = [];
  const fingerprints: string[] = [];
  for (const packet of message.packets) {
    if (packet instanceof PublicKeyEncryptedSessionKeyPacket) {
      const fields = packet as unknown as {
        publicKeyID: { toHex(): string; isWildcard(): boolean };
        publicKeyFingerprint?: Uint8Array | null;
      };
      if (!fields.publicKeyID.isWildcard()) keyIds.push(fields.publicKeyID.toHex());
      if (fields.publicKeyFingerprint) fingerprints.push(toHex(fields.publicKeyFingerprint));
    } else if (packet instanceof UnparseablePacket && packet.tag === pkeskTag) {
      // openpgp.js 6.3 keeps algorithm-35 PKESKs as unparseable packets with their raw body.
      const body = (packet as unknown as { rawContent: Uint8Array }).rawContent;
      const recipient = readPkeskRecipient(body);
      if (recipient.keyId && recipient.keyId.some((octet) => octet !== 0)) {
        keyIds.push(toHex(recipient.keyId));
      }
      if (recipient.fingerprint) fingerprints.push(toHex(recipient.fingerprint));
    }
  }
  return { keyIds, fingerprints };
}

/**
 * Throws RECIPIENT_NOT_ENCRYPTED_TO, naming the certificates, when a recipient has no PKESK
 * for its chosen encryption subkey in the message.
 */
export async function requireRecipientsEncryptedTo(options: RecipientsCheckOptions): Promise<void> {
  const list = requireArray(
    options.recipientCertificates,
    'recipientCertificates',
  ) as OpenPgpData[];
  if (options.mode !== 'pq' && options.mode !== 'classical') {
    throw new CryptoError(
      'INVALID_ARGUMENT',
      `mode must be 'pq' or 'classical', got ${JSON.stringify(options.mode)}.`,
    );
  }
  const date = optionalDate(options.date, 'date');
  const found = await listPkeskRecipients(options.message);
  const keyIds = new Set(found.keyIds);
  const fingerprints = new Set(found.fingerprints);

  const missing: string[] = [];
  for (const [index, data] of list.entries()) {
    const label = `recipientCertificates[${index}]`;
    const certificate = await parseCertificate(data, label);
    const subkey = await chosenSubkey(data, label, options.mode, date);
    if (!keyIds.has(subkey.keyId) && !fingerprints.has(subkey.fingerprint)) {
      missing.push(`${certificate.getFingerprint()} (subkey ${subkey.fingerprint})`);
    }
  }
  if (missing.length > 0) {
    throw new CryptoError(
      'RECIPIENT_NOT_ENCRYPTED_TO',
      `The encrypted message has no session key packet for ${missing.join(', ')}, so those ` +
        'recipients could not read it; it was not sent. Try again, and report the error if it repeats.',
    );
  }
}

/** Finds the encryption subkey that encryptAndSign chooses for one certificate in the mode. */
async function chosenSubkey(
  data: OpenPgpData,
  label: string,
  mode: EncryptionMode,
  date: Date,
): Promise<{ keyId: string; fingerprint: string }> {
  const certificate = await parseCertificate(data, label);
  if (mode === 'pq') {
    const planned = await planRecipient(certificate, await readKeyBlockPackets(data, label), date);
    if (!planned.postQuantumSubkey) {
      throw new CryptoError(
        'NO_ENCRYPTION_SUBKEY',
        `${label} (${certificate.getFingerprint()}) has no usable ML-KEM-768+X25519 subkey: ${planned.reason ?? 'unusable'}.`,
      );
    }
    return {
      keyId: planned.postQuantumSubkey.keyId.toLowerCase(),
      fingerprint: planned.postQuantumSubkey.fingerprint.toLowerCase(),
    };
  }
  try {
    const key = await certificate.getEncryptionKey(undefined, date, undefined, openpgpFullConfig);
    return { keyId: key.getKeyID().toHex(), fingerprint: key.getFingerprint() };
  } catch (error) {
    throw new CryptoError(
      'NO_ENCRYPTION_SUBKEY',
      `${label} (${certificate.getFingerprint()}) has no usable encryption subkey (${describeError(error)}).`,
      { cause: error },
    );
  }
}
