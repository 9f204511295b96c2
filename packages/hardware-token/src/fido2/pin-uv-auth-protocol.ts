// PIN/UV auth protocol 2 (CTAP 2.1): ECDH on P-256 with the authenticator's key
// agreement key, HKDF-SHA-256 into an HMAC key and an AES-256 key, AES-256-CBC with a random
// IV for encryption, and full 32-byte HMAC-SHA-256 for authentication. Also obtains a
// pinUvAuthToken from the PIN (getPinUvAuthTokenUsingPinWithPermissions, subcommand 9).
import { p256 } from '@noble/curves/nist.js';
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  hkdfSync,
  randomBytes,
} from 'node:crypto';
import { HardwareTokenError, PinError } from '../errors.ts';
import { CTAP2_COMMAND, CtapStatusError, type Ctap2Client } from './ctap2-client.ts';

export const PIN_UV_AUTH_PROTOCOL_TWO = 2;

/** Permissions of a pinUvAuthToken (CTAP 2.1). */
export const PERMISSION = { makeCredential: 0x01, getAssertion: 0x02 } as const;

const CLIENT_PIN = {
  getPinRetries: 0x01,
  getKeyAgreement: 0x02,
  getPinUvAuthTokenUsingPinWithPermissions: 0x09,
};

function hkdf(secret: Uint8Array, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, new Uint8Array(32), info, 32));
}

/** Builds the COSE_Key for ECDH-ES+HKDF-256 on P-256 (kty 2, alg -25, crv 1, x, y). */
export function coseKeyOf(uncompressed: Uint8Array): Map<number, unknown> {
  return new Map<number, unknown>([
    [1, 2],
    [3, -25],
    [-1, 1],
    [-2, uncompressed.slice(1, 33)],
    [-3, uncompressed.slice(33, 65)],
  ]);
}

export function pointOfCoseKey(key: unknown): Uint8Array {
  const x = key instanceof Map ? key.get(-2) : undefined;
  const y = key instanceof Map ? key.get(-3) : undefined;
  if (
    !(x instanceof Uint8Array) ||
    !(y instanceof Uint8Array) ||
    x.length !== 32 ||
    y.length !== 32
  ) {
    throw new HardwareTokenError(
      'FIDO_RESPONSE_MALFORMED',
      'The key agreement key is not a P-256 COSE_Key.',
    );
  }
  return Uint8Array.from([0x04, ...x, ...y]);
}

/** Shared secret of one key agreement; the owner calls wipe() when done. */
export class PinUvAuthSession {
  private constructor(
    readonly platformKeyAgreement: Map<number, unknown>,
    private readonly hmacKey: Buffer,
    private readonly aesKey: Buffer,
  ) {}

  /** Runs getKeyAgreement and derives the shared secret with a fresh platform key. */
  static async establish(client: Ctap2Client): Promise<PinUvAuthSession> {
    const response = await client.request(
      CTAP2_COMMAND.clientPin,
      new Map<number, unknown>([
        [1, PIN_UV_AUTH_PROTOCOL_TWO],
        [2, CLIENT_PIN.getKeyAgreement],
      ]),
      'getKeyAgreement',
    );
    const peer = pointOfCoseKey(response.get(1));
    const secret = p256.utils.randomSecretKey();
    const shared = p256.getSharedSecret(secret, peer);
    // Z is the x-coordinate of the shared point (bytes 1..33 of the compressed encoding).
    const z = shared.slice(1, 33);
    const session = new PinUvAuthSession(
      coseKeyOf(p256.getPublicKey(secret, false)),
      hkdf(z, 'CTAP2 HMAC key'),
      hkdf(z, 'CTAP2 AES key'),
    );
    secret.fill(0);
    shared.fill(0);
    z.fill(0);
    return session;
  }

  encrypt(plaintext: Uint8Array): Uint8Array {
    const iv = randomBytes(16);
    const cipher = createCipheriv('aes-256-cbc', this.aesKey, iv).setAutoPadding(false);
    return new Uint8Array(Buffer.concat([iv, cipher.update(plaintext), cipher.final()]));
  }

  decrypt(ciphertext: Uint8Array): Uint8Array {
    if (ciphertext.length < 32 || ciphertext.length % 16 !== 0) {
      throw new HardwareTokenError(
        'FIDO_RESPONSE_MALFORMED',
        `Encrypted data of ${ciphertext.length} bytes is not IV plus AES blocks.`,
      );
    }
    const decipher = createDecipheriv(
      'aes-256-cbc',
      this.aesKey,
      ciphertext.subarray(0, 16),
    ).setAutoPadding(false);
    return new Uint8Array(
      Buffer.concat([decipher.update(ciphertext.subarray(16)), decipher.final()]),
    );
  }

  /** HMAC-SHA-256 with the session's HMAC key (used for saltAuth). */
  authenticate(message: Uint8Array): Uint8Array {
    return authenticate(this.hmacKey, message);
  }

  wipe(): void {
    this.hmacKey.fill(0);
    this.aesKey.fill(0);
  }
}

/** HMAC-SHA-256 of `message` under `key`; protocol 2 keeps all 32 bytes. */
export function authenticate(key: Uint8Array, message: Uint8Array): Uint8Array {
  return new Uint8Array(createHmac('sha256', key).update(message).digest());
}

async function pinRetries(client: Ctap2Client): Promise<number> {
  const response = await client.request(
    CTAP2_COMMAND.clientPin,
    new Map<number, unknown>([
      [1, PIN_UV_AUTH_PROTOCOL_TWO],
      [2, CLIENT_PIN.getPinRetries],
    ]),
    'getPinRetries',
  );
  return Number(response.get(3) ?? 0);
}

/** Returns a pinUvAuthToken for `permissions` on `rpId`; the caller wipes it. */
export async function getPinUvAuthToken(
  client: Ctap2Client,
  pin: string,
  permissions: number,
  rpId: string,
): Promise<Uint8Array> {
  const pinBytes = Buffer.from(pin.normalize('NFC'), 'utf8');
  if (pinBytes.length < 4 || pinBytes.length > 63) {
    throw new HardwareTokenError(
      'FIDO_PIN_INVALID',
      `A FIDO2 PIN has 4 to 63 bytes, got ${pinBytes.length}. No try was used.`,
    );
  }
  const session = await PinUvAuthSession.establish(client);
  const pinHash = createHash('sha256').update(pinBytes).digest().subarray(0, 16);
  pinBytes.fill(0);
  try {
    const response = await client.request(
      CTAP2_COMMAND.clientPin,
      new Map<number, unknown>([
        [1, PIN_UV_AUTH_PROTOCOL_TWO],
        [2, CLIENT_PIN.getPinUvAuthTokenUsingPinWithPermissions],
        [3, session.platformKeyAgreement],
        [6, session.encrypt(pinHash)],
        [9, permissions],
        [10, rpId],
      ]),
      'getPinUvAuthTokenUsingPinWithPermissions',
    );
    const token = response.get(2);
    if (!(token instanceof Uint8Array)) {
      throw new HardwareTokenError(
        'FIDO_RESPONSE_MALFORMED',
        'The security key returned no pinUvAuthToken.',
      );
    }
    return session.decrypt(token);
  } catch (error) {
    if (error instanceof CtapStatusError && error.status === 0x31) {
      const retriesLeft = await pinRetries(client);
      throw new PinError(
        'FIDO_PIN_INVALID',
        `The security key's PIN is wrong; ${retriesLeft} ${retriesLeft === 1 ? 'try remains' : 'tries remain'}.`,
        retriesLeft,
        { cause: error },
      );
    }
    if (error instanceof CtapStatusError && (error.status === 0x32 || error.status === 0x34)) {
      throw new PinError('FIDO_PIN_BLOCKED', error.message, 0, { cause: error });
    }
    throw error;
  } finally {
    pinHash.fill(0);
    session.wipe();
  }
}
