// Key-encryption keys from a FIDO2 authenticator's hmac-secret extension (CTAP 2.1). Enrolment creates a non-resident credential with hmac-secret and stores only its
// credential ID, a random salt, the RP ID and whether the PIN was used. Derivation requests
// HMAC-SHA-256(CredRandom, salt) with getAssertion and expands it with HKDF-SHA-256.
// The output differs with and without user verification, so derivation repeats the choice
// made at enrolment.
import { hkdfSync, randomBytes } from 'node:crypto';
import { HardwareTokenError } from '../errors.ts';
import { CtapHidDevice, KEEPALIVE_UP_NEEDED } from './ctaphid-device.ts';
import { CTAP2_COMMAND, Ctap2Client, CtapStatusError, cbor } from './ctap2-client.ts';
import type { HidTransport } from './hid-transport.ts';
import {
  PERMISSION,
  PIN_UV_AUTH_PROTOCOL_TWO,
  PinUvAuthSession,
  authenticate,
  getPinUvAuthToken,
} from './pin-uv-auth-protocol.ts';

export interface HmacSecretEnrolment {
  rpId: string;
  credentialId: Uint8Array;
  /** 32 random bytes sent as salt1; not secret, but fixed per enrolment. */
  salt: Uint8Array;
  /** True when the PIN was verified at enrolment; derivation then requires it too. */
  userVerification: boolean;
}

export interface FidoOperationOptions {
  /** Authenticator PIN; required when the authenticator has one set. */
  pin?: string;
  /** How long to wait for each response, including the user's touch, in milliseconds. */
  timeoutMs?: number;
  /** Called when the authenticator waits for a touch, so the UI can ask for one. */
  onTouchNeeded?: () => void;
}

export interface DerivedKey {
  enrolment: HmacSecretEnrolment;
  /** 32-byte key-encryption key; the caller owns and wipes it. */
  keyEncryptionKey: Uint8Array;
}

const DEFAULT_RP_ID = 'sealpost.local';
const KEK_INFO = 'Sealpost FIDO2 hmac-secret key-encryption key';
const FLAG_USER_VERIFIED = 0x04;
const FLAG_ATTESTED_CREDENTIAL = 0x40;
const FLAG_EXTENSIONS = 0x80;

function malformed(detail: string): HardwareTokenError {
  return new HardwareTokenError(
    'FIDO_RESPONSE_MALFORMED',
    `The security key's response is malformed: ${detail}.`,
  );
}

async function connect(transport: HidTransport, options: FidoOperationOptions) {
  const device = await CtapHidDevice.open(transport);
  const client = new Ctap2Client(device, {
    timeoutMs: options.timeoutMs ?? 30_000,
    onKeepalive: (status) => {
      if (status === KEEPALIVE_UP_NEEDED) options.onTouchNeeded?.();
    },
  });
  const info = await client.getInfo();
  if (!info.extensions.includes('hmac-secret')) {
    throw new HardwareTokenError(
      'FIDO_EXTENSION_UNSUPPORTED',
      'The security key does not support the hmac-secret extension. Use a FIDO2 key that does (YubiKey 5, Nitrokey 3, SoloKeys).',
    );
  }
  const pinSet = info.options.get('clientPin') === true;
  if (pinSet && !info.pinUvAuthProtocols.includes(PIN_UV_AUTH_PROTOCOL_TWO)) {
    throw new HardwareTokenError(
      'FIDO_EXTENSION_UNSUPPORTED',
      'The security key does not offer PIN/UV auth protocol 2 (CTAP 2.1). Update its firmware or use another key.',
    );
  }
  return { client, pinSet };
}

/** Creates a credential with hmac-secret on the authenticator behind `transport`. */
export async function enrollHmacSecret(
  transport: HidTransport,
  options: FidoOperationOptions & { rpId?: string; userName?: string } = {},
): Promise<HmacSecretEnrolment> {
  const rpId = options.rpId ?? DEFAULT_RP_ID;
  const { client, pinSet } = await connect(transport, options);
  if (pinSet && options.pin === undefined) {
    throw new HardwareTokenError(
      'FIDO_PIN_REQUIRED',
      'The security key has a PIN; enter it to enrol the key.',
    );
  }

  const clientDataHash = new Uint8Array(randomBytes(32));
  const parameters = new Map<number, unknown>([
    [1, clientDataHash],
    [
      2,
      new Map([
        ['id', rpId],
        ['name', 'Sealpost'],
      ]),
    ],
    [
      3,
      new Map<string, unknown>([
        ['id', new Uint8Array(randomBytes(16))],
        ['name', options.userName ?? 'Sealpost key'],
      ]),
    ],
    [
      4,
      [
        new Map<string, unknown>([
          ['alg', -7],
          ['type', 'public-key'],
        ]),
      ],
    ],
    [6, new Map([['hmac-secret', true]])],
    [7, new Map([['rk', false]])],
  ]);
  let token: Uint8Array | undefined;
  if (options.pin !== undefined) {
    token = await getPinUvAuthToken(client, options.pin, PERMISSION.makeCredential, rpId);
    parameters.set(8, authenticate(token, clientDataHash));
    parameters.set(9, PIN_UV_AUTH_PROTOCOL_TWO);
  }

  try {
    const response = await client.request(
      CTAP2_COMMAND.makeCredential,
      parameters,
      'authenticatorMakeCredential',
    );
    const authData = response.get(2);
    if (!(authData instanceof Uint8Array) || authData.length < 55)
      throw malformed('authenticator data is missing');
    const flags = authData[32]!;
    if ((flags & FLAG_ATTESTED_CREDENTIAL) === 0) throw malformed('no attested credential data');
    // rpIdHash (32), flags (1), signCount (4), AAGUID (16), credentialId length (2), credentialId.
    const length = (authData[53]! << 8) | authData[54]!;
    const credentialId = authData.slice(55, 55 + length);
    if (credentialId.length !== length) throw malformed('credential ID is truncated');
    return {
      rpId,
      credentialId,
      salt: new Uint8Array(randomBytes(32)),
      userVerification: (flags & FLAG_USER_VERIFIED) !== 0,
    };
  } finally {
    token?.fill(0);
    await client.device.close();
  }
}

function hmacSecretOutput(authData: Uint8Array): Uint8Array {
  if (authData.length < 37) throw malformed('authenticator data is shorter than 37 bytes');
  if ((authData[32]! & FLAG_EXTENSIONS) === 0) throw malformed('no extension outputs');
  const extensions: unknown = cbor.decode(authData.subarray(37));
  const output = extensions instanceof Map ? extensions.get('hmac-secret') : undefined;
  if (!(output instanceof Uint8Array)) throw malformed('no hmac-secret output');
  return output;
}

async function assertWithSalt(
  client: Ctap2Client,
  enrolment: HmacSecretEnrolment,
  options: FidoOperationOptions,
): Promise<Uint8Array> {
  const session = await PinUvAuthSession.establish(client);
  const clientDataHash = new Uint8Array(randomBytes(32));
  const saltEnc = session.encrypt(enrolment.salt);
  const parameters = new Map<number, unknown>([
    [1, enrolment.rpId],
    [2, clientDataHash],
    [
      3,
      [
        new Map<string, unknown>([
          ['id', enrolment.credentialId],
          ['type', 'public-key'],
        ]),
      ],
    ],
    [
      4,
      new Map([
        [
          'hmac-secret',
          new Map<number, unknown>([
            [1, session.platformKeyAgreement],
            [2, saltEnc],
            [3, session.authenticate(saltEnc)],
            [4, PIN_UV_AUTH_PROTOCOL_TWO],
          ]),
        ],
      ]),
    ],
  ]);
  let token: Uint8Array | undefined;
  try {
    if (enrolment.userVerification) {
      if (options.pin === undefined) {
        throw new HardwareTokenError(
          'FIDO_PIN_REQUIRED',
          'This security key was enrolled with its PIN; enter the PIN to unlock.',
        );
      }
      token = await getPinUvAuthToken(client, options.pin, PERMISSION.getAssertion, enrolment.rpId);
      parameters.set(6, authenticate(token, clientDataHash));
      parameters.set(7, PIN_UV_AUTH_PROTOCOL_TWO);
    }
    const response = await client.request(
      CTAP2_COMMAND.getAssertion,
      parameters,
      'authenticatorGetAssertion',
    );
    const authData = response.get(2);
    if (!(authData instanceof Uint8Array)) throw malformed('authenticator data is missing');
    if (enrolment.userVerification && (authData[32]! & FLAG_USER_VERIFIED) === 0) {
      throw malformed('the key did not verify the user although the PIN was given');
    }
    const output = session.decrypt(hmacSecretOutput(authData));
    if (output.length !== 32)
      throw malformed(`hmac-secret output has ${output.length} bytes instead of 32`);
    return output;
  } finally {
    token?.fill(0);
    session.wipe();
  }
}

/**
 * Derives the key-encryption key from the first of `enrolments` whose credential is stored on
 * the authenticator behind `transport`. Raises FIDO_CREDENTIAL_NOT_FOUND when none is.
 */
export async function deriveKeyEncryptionKey(
  transport: HidTransport,
  enrolments: HmacSecretEnrolment[],
  options: FidoOperationOptions = {},
): Promise<DerivedKey> {
  if (enrolments.length === 0)
    throw new RangeError('At least one enrolment is needed to derive a key');
  const { client } = await connect(transport, options);
  try {
    for (const enrolment of enrolments) {
      // A silent check (up: false) finds the matching credential without asking for a touch.
      const probe = new Map<number, unknown>([
        [1, enrolment.rpId],
        [2, new Uint8Array(32)],
        [
          3,
          [
            new Map<string, unknown>([
              ['id', enrolment.credentialId],
              ['type', 'public-key'],
            ]),
          ],
        ],
        [5, new Map([['up', false]])],
      ]);
      const present = await client
        .request(CTAP2_COMMAND.getAssertion, probe, 'authenticatorGetAssertion')
        .then(
          () => true,
          (error: unknown) => {
            if (error instanceof HardwareTokenError && error.code === 'FIDO_CREDENTIAL_NOT_FOUND') {
              return false;
            }
            // Keys that reject "up": false (status 2B or 2C) are asked with a touch instead.
            if (
              error instanceof CtapStatusError &&
              (error.status === 0x2b || error.status === 0x2c)
            ) {
              return true;
            }
            throw error;
          },
        );
      if (!present) continue;

      const output = await assertWithSalt(client, enrolment, options).catch((error: unknown) => {
        if (error instanceof HardwareTokenError && error.code === 'FIDO_CREDENTIAL_NOT_FOUND') {
          return undefined;
        }
        throw error;
      });
      if (!output) continue;
      const keyEncryptionKey = new Uint8Array(
        hkdfSync('sha256', output, new Uint8Array(0), KEK_INFO, 32),
      );
      output.fill(0);
      return { enrolment, keyEncryptionKey };
    }
    throw new HardwareTokenError(
      'FIDO_CREDENTIAL_NOT_FOUND',
      `This security key holds none of the ${enrolments.length} enrolled credentials. Use an enrolled key or enrol this one.`,
    );
  } finally {
    await client.device.close();
  }
}
