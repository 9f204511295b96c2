// The hardened openpgp.js configuration that every crypto-core call passes explicitly, so
// the library's global defaults never apply. Its security rule: openpgp.js must never release
// plaintext whose integrity check (MDC or AEAD tag, RFC 9580 section 5.13) has not passed.
// Keys and messages stay in the v4 / SEIPDv1 formats that GnuPG 2.2 and Sequoia 1.x read.
import { config as defaultConfig, enums, type Config, type PartialConfig } from 'openpgp';

/** Message signature hashes below SHA-256 strength; signatures using them are `invalid`. */
export const rejectedMessageHashAlgorithms: ReadonlySet<enums.hash> = new Set([
  enums.hash.md5,
  enums.hash.sha1,
  enums.hash.ripemd,
  enums.hash.sha224,
]);

/** Cap on decompressed message size, so a small compressed message cannot exhaust memory. */
export const maxDecompressedMessageBytes = 256 * 1024 * 1024;

export const openpgpConfig: PartialConfig = Object.freeze({
  // Fail closed: a SED packet (tag 9, no MDC) is rejected, and the whole message is read and
  // authenticated before any plaintext is returned. crypto-core never passes streams.
  allowUnauthenticatedMessages: false,
  allowUnauthenticatedStream: false,
  allowInsecureDecryptionWithSigningKeys: false,
  allowInsecureVerificationWithReformattedKeys: false,
  allowMissingKeyFlags: false,
  ignoreMalformedPackets: false,
  enforceGrammar: true,

  // v4 keys and SEIPDv1. Encryption still uses SEIPDv2 (AEAD) when every recipient's
  // certificate advertises it. aeadProtect false only keeps our own certificates from
  // advertising it, because GnuPG 2.2 cannot read SEIPDv2.
  v6Keys: false,
  aeadProtect: false,
  enableParsingV5Entities: false,

  // Iterated and salted S2K, which GnuPG 2.2 reads (it cannot read Argon2).
  s2kType: enums.s2k.iterated,

  // openpgp.js 6.3 signs with Ed25519Legacy keys using SHA-512 even when this is set lower,
  // because it picks at least the curve's preferred hash. PGP/MIME gets micalg from micalgOf().
  preferredHashAlgorithm: enums.hash.sha512,
  preferredSymmetricAlgorithm: enums.symmetric.aes256,
  preferredCompressionAlgorithm: enums.compression.uncompressed,
  // SHA-1 stays accepted on key self-signatures only, because many existing GnuPG
  // certificates still carry them; message signatures use the stricter set above.
  rejectHashAlgorithms: new Set([enums.hash.md5, enums.hash.ripemd]),
  rejectMessageHashAlgorithms: new Set(rejectedMessageHashAlgorithms),
  maxDecompressedMessageSize: maxDecompressedMessageBytes,

  showVersion: false,
  showComment: false,
});

/**
 * The same settings completed with openpgp.js defaults, for the Key, User and Subkey methods,
 * which expect a full Config rather than a partial one.
 */
export const openpgpFullConfig: Config = Object.freeze({ ...defaultConfig, ...openpgpConfig });
