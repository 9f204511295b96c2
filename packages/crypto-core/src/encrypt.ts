// Sign-then-encrypt in one OpenPGP message (RFC 9580 section 10.3: one-pass signature and
// literal data inside a SEIPD packet), as PGP/MIME (RFC 3156 section 6.2) and inline PGP
// carry it. SEIPDv1 with MDC is used unless every recipient advertises SEIPDv2 (AEAD).
// When every recipient has an ML-KEM-768+X25519 subkey (RFC 9980 algorithm 35), the session
// key is encrypted only to those subkeys; otherwise only to the classical subkeys.
import { createMessage, encrypt, type PrivateKey, type PublicKey } from 'openpgp';
import { parseCertificateList } from './certificate.ts';
import { openpgpConfig, openpgpFullConfig } from './config.ts';
import { CryptoError, describeError, wrapError } from './errors.ts';
import {
  optionalDate,
  rejectUnknownOptions,
  requireArray,
  requireBytes,
  requireOptions,
} from './input.ts';
import {
  planFor,
  planRecipient,
  type EncryptionMode,
  type EncryptionPlan,
  type PlannedRecipient,
} from './pq/encryption-plan.ts';
import { readKeyBlockPackets } from './pq/pq-certificate.ts';
import { encryptToPostQuantumSubkeys } from './pq/pq-encrypt.ts';
import { postQuantumBlocksOf } from './pq/pq-secret-key.ts';
import type { KeyBlockPackets } from './pq/subkey-packets.ts';
import { withPrivateKeys, type SecretKeyInput } from './secret-key.ts';

export interface EncryptAndSignOptions {
  data: Uint8Array;
  /** Armored or binary certificates of the recipients; duplicates are encrypted to once. */
  recipientCertificates: Array<string | Uint8Array>;
  /**
   * The key that signs inside the encryption. Only the Stateless OpenPGP CLI omits it, for
   * an unsigned message, and then encryptToSigner must be false.
   */
  signingKey?: SecretKeyInput;
  /** Also encrypt to the signer's own certificate, so the sent copy stays readable. Default true. */
  encryptToSigner?: boolean;
  /** Signature creation time; defaults to now. */
  date?: Date;
  /**
   * 'auto' (default) encrypts post-quantum only when every recipient, the signer included,
   * has a usable algorithm-35 subkey; 'pq' requires that; 'classical' never uses them.
   */
  mode?: 'auto' | EncryptionMode;
}

/** The armored message and the plan it was encrypted by. */
export interface EncryptionResult {
  message: string;
  plan: EncryptionPlan;
}

const knownOptions = [
  'data',
  'recipientCertificates',
  'signingKey',
  'encryptToSigner',
  'date',
  'mode',
] as const;

/**
 * Signs the data with the signing key and encrypts it to every recipient; without a signing
 * key the message is unsigned. Returns armored text.
 */
export async function encryptAndSign(options: EncryptAndSignOptions): Promise<string> {
  return (await encryptAndSignWithPlan(options)).message;
}

/** Like encryptAndSign, and also returns which mode was used for which recipient and why. */
export async function encryptAndSignWithPlan(
  options: EncryptAndSignOptions,
): Promise<EncryptionResult> {
  requireOptions(options, 'encryptAndSign');
  rejectUnknownOptions(options, knownOptions, 'encryptAndSign');
  const mode = options.mode ?? 'auto';
  if (mode !== 'auto' && mode !== 'pq' && mode !== 'classical') {
    throw new CryptoError(
      'INVALID_ARGUMENT',
      `mode must be 'auto', 'pq' or 'classical', got ${JSON.stringify(mode)}.`,
    );
  }
  const data = requireBytes(options.data, 'data');
  const certificateList = requireArray(options.recipientCertificates, 'recipientCertificates');
  const date = optionalDate(options.date, 'date');
  const encryptToSigner = options.encryptToSigner ?? options.signingKey !== undefined;
  if (options.signingKey === undefined && encryptToSigner) {
    throw new CryptoError(
      'INVALID_ARGUMENT',
      'encryptToSigner needs a signingKey; pass one or set encryptToSigner to false.',
    );
  }
  const signingKeys = options.signingKey === undefined ? [] : [options.signingKey];
  if (certificateList.length === 0 && !encryptToSigner) {
    throw new CryptoError(
      'INVALID_ARGUMENT',
      'recipientCertificates is empty; pass at least one recipient certificate.',
    );
  }
  const parsed = await parseCertificateList(certificateList, 'recipientCertificates');
  const blocks: KeyBlockPackets[] = [];
  for (const [index, certificate] of certificateList.entries()) {
    const label = `recipientCertificates[${index}]`;
    blocks.push(...(await readKeyBlockPackets(certificate as string | Uint8Array, label)));
  }
  blocks.push(...(await postQuantumBlocksOf(signingKeys)));

  return withPrivateKeys(signingKeys, 'signingKey', async ([signingKey]) => {
    const signer = signingKey as PrivateKey | undefined;
    const recipients = uniqueByFingerprint(
      encryptToSigner && signer ? [...parsed, signer.toPublic()] : parsed,
    );
    const planned: PlannedRecipient[] = [];
    for (const recipient of recipients) planned.push(await planRecipient(recipient, blocks, date));
    const plan = choosePlan(planFor(planned), mode);
    if (plan.mode === 'classical') {
      await Promise.all(recipients.map((recipient) => requireEncryptionKey(recipient, date)));
    }
    if (signer) await requireSigningKey(signer, date);

    let message;
    try {
      message = await createMessage({ binary: data, date });
    } catch (error) {
      throw wrapError(error, 'ENCRYPT_FAILED', 'Encryption failed');
    }
    if (plan.mode === 'pq') {
      const armored = await encryptToPostQuantumSubkeys({
        message,
        recipients: planned,
        signingKey: signer,
        date,
      });
      return { message: armored, plan };
    }
    try {
      const armored = await encrypt({
        message,
        encryptionKeys: recipients,
        ...(signer ? { signingKeys: signer } : {}),
        date,
        format: 'armored',
        config: openpgpConfig,
      });
      return { message: armored, plan };
    } catch (error) {
      throw wrapError(error, 'ENCRYPT_FAILED', 'Encryption failed');
    }
  });
}

/** Applies the requested mode to the plan: 'pq' fails unless every recipient supports it. */
export function choosePlan(plan: EncryptionPlan, mode: 'auto' | EncryptionMode): EncryptionPlan {
  if (mode === 'auto') return plan;
  if (mode === 'classical') {
    return { ...plan, mode: 'classical', reason: 'classical encryption was requested' };
  }
  if (plan.mode !== 'pq') {
    throw new CryptoError(
      'NO_ENCRYPTION_SUBKEY',
      `Post-quantum encryption was requested, but ${plan.reason}. ` +
        "Ask those recipients for a certificate with an ML-KEM-768+X25519 subkey, or use mode 'auto'.",
    );
  }
  return plan;
}

export function uniqueByFingerprint(certificates: readonly PublicKey[]): PublicKey[] {
  const seen = new Set<string>();
  return certificates.filter((certificate) => {
    const fingerprint = certificate.getFingerprint();
    if (seen.has(fingerprint)) return false;
    seen.add(fingerprint);
    return true;
  });
}

export async function requireEncryptionKey(certificate: PublicKey, date: Date): Promise<void> {
  try {
    await certificate.getEncryptionKey(undefined, date, undefined, openpgpFullConfig);
  } catch (error) {
    throw new CryptoError(
      'NO_ENCRYPTION_SUBKEY',
      `Certificate ${certificate.getFingerprint()} has no usable encryption subkey (${describeError(error)}). ` +
        'Ask its owner for a current, unrevoked certificate.',
      { cause: error },
    );
  }
}

/** Checks the signing key is usable at the date, so an expired or revoked key fails early. */
export async function requireSigningKey(privateKey: PrivateKey, date: Date): Promise<void> {
  try {
    await privateKey.getSigningKey(undefined, date, undefined, openpgpFullConfig);
  } catch (error) {
    throw new CryptoError(
      'NO_SIGNING_KEY',
      `Secret key ${privateKey.getFingerprint()} has no usable signing key (${describeError(error)}). ` +
        'Extend its expiration or use another identity.',
      { cause: error },
    );
  }
}
