// Signatures without encryption: detached signatures over exact bytes (PGP/MIME
// multipart/signed, RFC 3156 section 5), cleartext signed messages (RFC 9580 section 7, used
// by inline PGP) and signed-only OpenPGP messages. Verification never throws for a bad
// signature: each signature gets a status, and `valid` only after a real check.
import {
  createCleartextMessage,
  createMessage,
  enums,
  readCleartextMessage,
  readMessage,
  readSignature,
  sign,
  verify,
  CleartextMessage,
  type Message,
  type PrivateKey,
  type Signature,
} from 'openpgp';
import { requireAddress } from './address.ts';
import { parseCertificateList } from './certificate.ts';
import { openpgpConfig } from './config.ts';
import { requireSigningKey } from './encrypt.ts';
import { CryptoError, describeError, wrapError } from './errors.ts';
import {
  decodeOpenPgpData,
  optionalDate,
  rejectUnknownOptions,
  requireArray,
  requireBytes,
  requireOptions,
  requireString,
  type OpenPgpData,
} from './input.ts';
import { withPrivateKeys, type SecretKeyInput } from './secret-key.ts';
import {
  evaluateSignatures,
  type OpenPgpVerification,
  type SignatureResult,
} from './signature-status.ts';

export interface SigningOptions {
  signingKey: SecretKeyInput;
  /** Signature creation time; defaults to now. */
  date?: Date;
}

export interface VerificationOptions {
  verificationCertificates: Array<string | Uint8Array>;
  /** The From address, matched against the signer's User IDs. */
  expectedSignerAddress?: string;
  /** Verification time; defaults to now. */
  date?: Date;
}

/** Creates an armored detached binary signature (type 0x00) over exactly these bytes. */
export async function signDetached(
  options: SigningOptions & { data: Uint8Array },
): Promise<string> {
  requireOptions(options, 'signDetached');
  rejectUnknownOptions(options, ['data', 'signingKey', 'date'], 'signDetached');
  const data = requireBytes(options.data, 'data');
  const message = await createMessage({ binary: data });
  return signWith(options, 'signDetached', (signingKey, date) =>
    sign({
      message,
      signingKeys: signingKey,
      detached: true,
      date,
      format: 'armored',
      config: openpgpConfig,
    }),
  );
}

/**
 * Verifies a detached signature over exactly these bytes. For PGP/MIME, pass the signed MIME
 * part as it appeared on the wire, with CRLF line endings (RFC 3156 section 5).
 */
export async function verifyDetached(
  options: VerificationOptions & { data: Uint8Array; signature: OpenPgpData },
): Promise<SignatureResult[]> {
  requireOptions(options, 'verifyDetached');
  rejectUnknownOptions(
    options,
    ['data', 'signature', 'verificationCertificates', 'expectedSignerAddress', 'date'],
    'verifyDetached',
  );
  const data = requireBytes(options.data, 'data');
  const signature = await parseSignature(options.signature);
  const message = await createMessage({ binary: data });
  const { signatures } = await verifyWith(options, 'verifyDetached', message, signature);
  return signatures;
}

/**
 * Returns the micalg parameter for a multipart/signed part (RFC 3156 section 5), such as
 * "pgp-sha512", from the hash algorithm of the armored detached signature.
 */
export async function micalgOf(signature: OpenPgpData): Promise<string> {
  const parsed = await parseSignature(signature);
  const hashAlgorithm = parsed.packets[0]?.hashAlgorithm;
  if (hashAlgorithm === undefined || hashAlgorithm === null) {
    throw new CryptoError(
      'MESSAGE_MALFORMED',
      'The detached signature contains no signature packet.',
    );
  }
  return `pgp-${enums.read(enums.hash, hashAlgorithm).toLowerCase()}`;
}

/** Creates a cleartext signed message (-----BEGIN PGP SIGNED MESSAGE-----) for inline PGP. */
export async function signCleartext(options: SigningOptions & { text: string }): Promise<string> {
  requireOptions(options, 'signCleartext');
  rejectUnknownOptions(options, ['text', 'signingKey', 'date'], 'signCleartext');
  if (typeof options.text !== 'string') {
    throw new CryptoError('INVALID_ARGUMENT', 'text must be a string.');
  }
  const message = await createCleartextMessage({ text: options.text });
  return signWith(options, 'signCleartext', (signingKey, date) =>
    sign({ message, signingKeys: signingKey, date, format: 'armored', config: openpgpConfig }),
  );
}

/**
 * Verifies a cleartext signed message and returns its signed text, with dash-escaping
 * removed, together with one result per signature. Text outside the armored block is ignored.
 */
export async function verifyCleartext(
  options: VerificationOptions & { message: string },
): Promise<{ text: string; signatures: SignatureResult[] }> {
  requireOptions(options, 'verifyCleartext');
  rejectUnknownOptions(
    options,
    ['message', 'verificationCertificates', 'expectedSignerAddress', 'date'],
    'verifyCleartext',
  );
  const armored = requireString(options.message, 'message');
  let message: CleartextMessage;
  try {
    message = await readCleartextMessage({ cleartextMessage: armored, config: openpgpConfig });
  } catch (error) {
    throw malformed('cleartext signed message', error);
  }
  const { data, signatures } = await verifyWith(options, 'verifyCleartext', message);
  if (typeof data !== 'string') {
    throw new CryptoError(
      'MESSAGE_MALFORMED',
      'The cleartext signed message has no text to return.',
    );
  }
  return { text: data, signatures };
}

/** Creates an armored signed OpenPGP message (one-pass signature + literal data), not encrypted. */
export async function signMessage(options: SigningOptions & { data: Uint8Array }): Promise<string> {
  requireOptions(options, 'signMessage');
  rejectUnknownOptions(options, ['data', 'signingKey', 'date'], 'signMessage');
  const data = requireBytes(options.data, 'data');
  const message = await createMessage({ binary: data });
  return signWith(options, 'signMessage', (signingKey, date) =>
    sign({ message, signingKeys: signingKey, date, format: 'armored', config: openpgpConfig }),
  );
}

/** Verifies a signed, unencrypted OpenPGP message and returns its literal data. */
export async function verifyMessage(
  options: VerificationOptions & { message: OpenPgpData },
): Promise<{ data: Uint8Array; signatures: SignatureResult[] }> {
  requireOptions(options, 'verifyMessage');
  rejectUnknownOptions(
    options,
    ['message', 'verificationCertificates', 'expectedSignerAddress', 'date'],
    'verifyMessage',
  );
  const decoded = decodeOpenPgpData(options.message, 'message');
  let message: Message<Uint8Array | string>;
  try {
    message =
      'armored' in decoded
        ? await readMessage({ armoredMessage: decoded.armored, config: openpgpConfig })
        : await readMessage({ binaryMessage: decoded.binary, config: openpgpConfig });
  } catch (error) {
    throw malformed('signed message', error);
  }
  const { data, signatures } = await verifyWith(options, 'verifyMessage', message);
  if (!(data instanceof Uint8Array)) {
    throw new CryptoError('MESSAGE_MALFORMED', 'The signed message has no literal data to return.');
  }
  return { data, signatures };
}

async function signWith(
  options: SigningOptions,
  functionName: string,
  operation: (signingKey: PrivateKey, date: Date) => Promise<string>,
): Promise<string> {
  const date = optionalDate(options.date, 'date');
  return withPrivateKeys([options.signingKey], 'signingKey', async ([signingKey]) => {
    const key = signingKey as PrivateKey;
    await requireSigningKey(key, date);
    try {
      return await operation(key, date);
    } catch (error) {
      throw wrapError(error, 'SIGN_FAILED', `${functionName} failed`);
    }
  });
}

async function verifyWith(
  options: VerificationOptions,
  functionName: string,
  message: CleartextMessage | Message<Uint8Array | string>,
  signature?: Signature,
): Promise<{ data: Uint8Array | string; signatures: SignatureResult[] }> {
  const certificates = await parseCertificateList(
    requireArray(options.verificationCertificates, 'verificationCertificates'),
    'verificationCertificates',
  );
  const expectedSignerAddress =
    options.expectedSignerAddress === undefined
      ? undefined
      : requireAddress(options.expectedSignerAddress, 'expectedSignerAddress');
  const date = optionalDate(options.date, 'date');

  let result;
  try {
    result = await verify({
      message: message as Message<Uint8Array>,
      verificationKeys: certificates,
      expectSigned: false,
      // openpgp.js returns cleartext messages only as text.
      format: message instanceof CleartextMessage ? 'utf8' : 'binary',
      date,
      config: openpgpConfig,
      ...(signature ? { signature } : {}),
    });
  } catch (error) {
    throw malformed(`${functionName} input`, error);
  }

  const signatures = await evaluateSignatures(
    result.signatures as unknown as OpenPgpVerification[],
    {
      certificates,
      date,
      expectedSignerAddress,
    },
  );
  return { data: result.data as Uint8Array | string, signatures };
}

async function parseSignature(data: OpenPgpData): Promise<Signature> {
  const decoded = decodeOpenPgpData(data, 'signature');
  try {
    return 'armored' in decoded
      ? await readSignature({ armoredSignature: decoded.armored, config: openpgpConfig })
      : await readSignature({ binarySignature: decoded.binary, config: openpgpConfig });
  } catch (error) {
    throw malformed('detached signature', error);
  }
}

function malformed(label: string, error: unknown): CryptoError {
  return new CryptoError(
    'MESSAGE_MALFORMED',
    `The ${label} could not be read (${describeError(error)}); keep the original and show it as unverified.`,
    { cause: error },
  );
}
