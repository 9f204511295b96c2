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
} from './certificate.ts';
export { applyRevocation } from './revocation.ts';
export {
  UnlockedKey,
  exportSecretKey,
  importSecretKey,
  protectSecretKey,
  readSecretKeyInfo,
  unlockSecretKey,
  type LockedSecretKey,
  type SecretKeyInfo,
  type SecretKeyInput,
} from './secret-key.ts';
export { encryptAndSign, type EncryptAndSignOptions } from './encrypt.ts';
export {
  decryptAndVerify,
  type DecryptAndVerifyOptions,
  type DecryptedWith,
  type DecryptionResult,
} from './decrypt.ts';
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
