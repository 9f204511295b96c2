// Public API of @sealpost/crypto-core: OpenPGP identities, certificates, secret keys,
// encryption, decryption and signatures on top of openpgp.js, configured to fail closed.
export { CryptoError, type CryptoErrorCode } from './errors.ts';
export {
  generateIdentity,
  type GenerateIdentityOptions,
  type GeneratedIdentity,
} from './identity.ts';
export {
  certificateToBinary,
  readCertificate,
  readCertificates,
  readKeys,
  type CertificateInfo,
  type KeyBlock,
  type PostQuantumSubkeyInfo,
} from './certificate.ts';
export { applyRevocation } from './revocation.ts';
export { revocationCertificatesOf } from './revocation.ts';
export { createRevocationCertificate, type RevocationReason } from './revocation.ts';
export {
  UnlockedKey,
  readSecretKeyInfo,
  type LockedSecretKey,
  type SecretKeyInfo,
  type SecretKeyInput,
} from './secret-key.ts';
export { exportSecretKey, importSecretKey, protectSecretKey } from './secret-key-protection.ts';
export {
  encryptAndSign,
  encryptAndSignWithPlan,
  type EncryptAndSignOptions,
  type EncryptionResult,
} from './encrypt.ts';
export {
  decryptAndVerify,
  type DecryptAndVerifyOptions,
  type DecryptedWith,
  type DecryptionResult,
} from './decrypt.ts';
export {
  decryptToSpool,
  type DecryptToSpoolOptions,
  type VerifiedSpool,
} from './stream/decrypt-to-spool.ts';
// Decryption with a session key recovered elsewhere (an OpenPGP card), with signature checks.
export {
  decryptWithSessionKey,
  type RecoveredSessionKey,
  type SessionKeyDecryptOptions,
  type SessionKeyDecryptionResult,
} from './session-key-decrypt.ts';
export { encryptAndSignStream, type EncryptAndSignStreamOptions } from './stream/encrypt-stream.ts';
export {
  encryptAndSignStreamWithPlan,
  type StreamEncryptionResult,
} from './stream/encrypt-stream.ts';
export type { ByteSource } from './stream/stream-input.ts';
export {
  micalgOf,
  signCleartext,
  signDetached,
  signMessage,
  verifyCleartext,
  verifyDetached,
  verifyMessage,
  type SigningOptions,
  type VerificationOptions,
} from './signature.ts';
export type { SignatureResult, SignatureStatus } from './signature-status.ts';
// unlockSecretKey also unlocks ML-KEM-768+X25519 (RFC 9980 algorithm 35) secret subkeys.
export { unlockSecretKeyWithPostQuantum as unlockSecretKey } from './pq/pq-secret-key.ts';
// For the Stateless OpenPGP CLI, which exchanges secret keys without a passphrase.
export { exportUnprotectedSecretKey } from './secret-key-protection.ts';
export { openUnprotectedSecretKeyWithPostQuantum as openUnprotectedSecretKey } from './pq/pq-secret-key.ts';
export {
  planEncryption,
  type EncryptionMode,
  type EncryptionPlan,
  type RecipientPlan,
} from './pq/encryption-plan.ts';
export {
  signDetachedWithExternalSigner,
  type ExternalSignOptions,
} from './external-key/external-sign.ts';
export { type ExternalSigner } from './external-key/external-signature.ts';
export {
  buildCertificateForExternalKeys,
  fingerprintsOfExternalKeys,
  type ExternalCertificate,
  type ExternalCertificateOptions,
} from './external-key/external-certificate.ts';
export {
  decryptWithExternalEcdh,
  unwrapSessionKeyWithExternalEcdh,
  type ExternalSessionKey,
  type ExternalDecryptOptions,
  type ExternalDecryptResult,
  type ExternalEcdh,
} from './external-key/external-ecdh.ts';
// Ratchet mode (docs/RATCHET.md): every ratchet step and ML-KEM operation runs in RatchetClient's
// worker thread; the functions below run on the calling thread and do neither.
export { RatchetClient } from './ratchet/client.ts';
export { RatchetError, type RatchetErrorCode } from './ratchet/errors.ts';
export { MAX_PAYLOAD_LENGTH as RATCHET_MAX_PAYLOAD_LENGTH } from './ratchet/padding.ts';
export {
  PREKEY_BUNDLE_CONTENT_TYPE,
  decodeBundle,
  decodeSignedBundle,
  encodeSignedBundle,
  type PrekeyBundle,
  type SignedPrekeyBundle,
} from './ratchet/bundle.ts';
export { signPrekeyBundle, verifyPrekeyBundle } from './ratchet/bundle-signature.ts';
export {
  DEFAULT_ROTATION_POLICY,
  planPrekeyRotation,
  type PrekeyTimes,
  type RotationPolicy,
} from './ratchet/prekeys.ts';
export {
  DEFAULT_LIMITS as DEFAULT_RATCHET_LIMITS,
  type RatchetLimits,
} from './ratchet/skipped-keys.ts';
export {
  MAX_SESSIONS_PER_PEER,
  type DecryptForPeerInput,
  type DecryptForPeerResult,
  type StoredSession,
} from './ratchet/peer-sessions.ts';
export type { SealedMessage, SealedRecipient } from './ratchet/content.ts';
// Password-encrypted messages, used for recovery-code backups that GnuPG can decrypt.
export { decryptWithPassword, encryptWithPassword } from './password-message.ts';
// Encryption subkey rotation for existing keys; old subkeys are kept.
export { rotateEncryptionSubkeys, type RotateSubkeysOptions, type RotatedKey } from './rotation.ts';
// Certificate expiry extension by re-signing the self-signatures and subkey bindings.
export { extendCertificateExpiry, type ExtendedKey } from './expiry.ts';
// The check that a produced message has a PKESK for every intended recipient.
export {
  listPkeskRecipients,
  requireRecipientsEncryptedTo,
  type PkeskRecipients,
  type RecipientsCheckOptions,
} from './recipients-check.ts';
// The subkeys and User IDs of a certificate that are not used, with the reasons.
export { listIgnoredParts, type IgnoredPart } from './ignored-parts.ts';
