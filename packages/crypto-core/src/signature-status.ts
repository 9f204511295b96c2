// Maps openpgp.js verification results to the statuses that Sealpost shows. A status is
// `valid` only after openpgp.js verified the signature cryptographically, the signing key was
// valid when it signed, and the certificate is neither revoked nor expired at the verification
// date. Signatures over MD5, SHA-1, RIPEMD-160 or SHA-224 hashes are `invalid`.
import { enums, type KeyID, type PublicKey, type SignaturePacket } from 'openpgp';
import { certificateHasAddress } from './address.ts';
import { openpgpFullConfig, rejectedMessageHashAlgorithms } from './config.ts';
import { describeError } from './errors.ts';

export type SignatureStatus = 'valid' | 'invalid' | 'unknown-key' | 'expired-key' | 'revoked-key';

export interface SignatureResult {
  status: SignatureStatus;
  /** Primary key fingerprint of the signer's certificate, or null when the key is unknown. */
  signerFingerprint: string | null;
  /** Fingerprint of the (sub)key that made the signature, or null when the key is unknown. */
  signingKeyFingerprint: string | null;
  /** Issuer key ID from the signature, lowercase hex. */
  keyId: string;
  /** Signature creation time as the signature states it; null when it could not be read. */
  created: Date | null;
  /**
   * Whether the signer's certificate has a validly self-certified User ID whose email equals
   * the expected address, compared case-insensitively. Always false unless status is `valid`.
   */
  signerMatchesAddress: boolean;
  /** Explanation of any status other than `valid`. */
  reason?: string;
}

/** The shape of one entry of openpgp.js `signatures` in decrypt and verify results. */
export interface OpenPgpVerification {
  keyID: KeyID;
  verified: Promise<true>;
  signature: Promise<{ packets: SignaturePacket[] }>;
}

export interface EvaluationContext {
  certificates: readonly PublicKey[];
  date: Date;
  expectedSignerAddress?: string;
}

export async function evaluateSignatures(
  verifications: readonly OpenPgpVerification[],
  context: EvaluationContext,
): Promise<SignatureResult[]> {
  return Promise.all(verifications.map((verification) => evaluateSignature(verification, context)));
}

async function evaluateSignature(
  verification: OpenPgpVerification,
  context: EvaluationContext,
): Promise<SignatureResult> {
  const keyId = verification.keyID.toHex();
  const signaturePacket = await verification.signature.then(
    (signature) => signature.packets[0] ?? null,
    () => null,
  );
  const created = signaturePacket?.created ?? null;

  const certificate = context.certificates.find(
    (candidate) => candidate.getKeys(verification.keyID).length > 0,
  );
  if (!certificate) {
    return {
      status: 'unknown-key',
      signerFingerprint: null,
      signingKeyFingerprint: null,
      keyId,
      created,
      signerMatchesAddress: false,
      reason: `No verification certificate contains key ID ${keyId}; obtain the signer's certificate and verify again.`,
    };
  }

  const signingKey = certificate.getKeys(verification.keyID)[0];
  const known = {
    signerFingerprint: certificate.getFingerprint(),
    signingKeyFingerprint: signingKey ? signingKey.getFingerprint() : null,
    keyId,
    created,
    signerMatchesAddress: false,
  };

  if (signaturePacket === null) {
    return {
      ...known,
      status: 'invalid',
      reason: 'The signature packet is missing or could not be read.',
    };
  }
  const hashAlgorithm = signaturePacket.hashAlgorithm;
  if (hashAlgorithm === null || rejectedMessageHashAlgorithms.has(hashAlgorithm)) {
    const hashName =
      hashAlgorithm === null ? 'unknown' : enums.read(enums.hash, hashAlgorithm).toUpperCase();
    return {
      ...known,
      status: 'invalid',
      reason: `The signature uses the ${hashName} hash, which is too weak; signatures must use SHA-256 or stronger.`,
    };
  }

  try {
    // Cryptographic check, plus validity of the signing key at the signature's creation time.
    await verification.verified;
    // The certificate must also be valid now: GnuPG likewise reports a good signature by a
    // since-expired key as EXPKEYSIG, and one by a since-revoked key as REVKEYSIG.
    await certificate.getSigningKey(verification.keyID, context.date, undefined, openpgpFullConfig);
  } catch (error) {
    return { ...known, ...statusFromError(error) };
  }

  const signerMatchesAddress =
    context.expectedSignerAddress !== undefined &&
    (await certificateHasAddress(certificate, context.expectedSignerAddress, context.date));
  return { ...known, status: 'valid', signerMatchesAddress };
}

function statusFromError(error: unknown): { status: SignatureStatus; reason: string } {
  const reason = describeError(error);
  if (/revoked/i.test(reason)) return { status: 'revoked-key', reason };
  if (/(key|subkey) is expired/i.test(reason)) return { status: 'expired-key', reason };
  return { status: 'invalid', reason };
}
