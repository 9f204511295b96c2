// CTAP2 commands over CTAPHID_CBOR (CTAP 2.1): requests are a command byte and a
// CBOR map with integer keys, responses a status byte and a CBOR map. Status codes that a
// caller can act on become typed errors.
import { Encoder } from 'cbor-x';
import { HardwareTokenError } from '../errors.ts';
import type { CtapHidDevice, TransactionOptions } from './ctaphid-device.ts';
import { CTAPHID } from './ctaphid-frames.ts';

export const CTAP2_COMMAND = {
  makeCredential: 0x01,
  getAssertion: 0x02,
  getInfo: 0x04,
  clientPin: 0x06,
} as const;

/** CTAP2 status codes (CTAP 2.1) mapped to error codes and advice. */
const STATUS: Record<number, [HardwareTokenError['code'], string]> = {
  0x05: ['FIDO_TIMEOUT', 'the request timed out'],
  0x16: ['FIDO_EXTENSION_UNSUPPORTED', 'the key does not support the hmac-secret extension'],
  0x27: ['FIDO_COMMAND_FAILED', 'the user denied the operation'],
  0x2b: ['FIDO_COMMAND_FAILED', 'the key does not support a requested option'],
  0x2c: ['FIDO_COMMAND_FAILED', 'the key rejected a requested option as invalid'],
  0x2d: ['FIDO_TIMEOUT', 'the request was cancelled while waiting for a touch'],
  0x2e: ['FIDO_CREDENTIAL_NOT_FOUND', 'the key holds none of the enrolled credentials'],
  0x2f: ['FIDO_TIMEOUT', 'no touch was detected in time'],
  0x31: ['FIDO_PIN_INVALID', 'the PIN is wrong'],
  0x32: ['FIDO_PIN_BLOCKED', 'the PIN is blocked; reset the key with its vendor tool'],
  0x33: ['FIDO_PIN_INVALID', 'the PIN authentication was rejected'],
  0x34: ['FIDO_PIN_BLOCKED', 'too many wrong PINs in a row; unplug and reinsert the key'],
  0x35: ['FIDO_PIN_REQUIRED', 'the key has no PIN set; set one with the vendor tool'],
  0x36: ['FIDO_PIN_REQUIRED', 'the key requires its PIN for this operation'],
  0x3a: ['FIDO_TIMEOUT', 'the operation timed out'],
};

export const cbor = new Encoder({
  mapsAsObjects: false,
  useRecords: false,
  // CTAP2 byte strings are plain major type 2, never tagged typed arrays.
  tagUint8Array: false,
  variableMapSize: true,
});

export class CtapStatusError extends HardwareTokenError {
  readonly status: number;
  constructor(status: number, command: string) {
    const [code, detail] = STATUS[status] ?? [
      'FIDO_COMMAND_FAILED' as const,
      `status 0x${status.toString(16).padStart(2, '0')}`,
    ];
    super(code, `The security key rejected ${command}: ${detail}.`);
    this.status = status;
  }
}

export interface AuthenticatorInfo {
  versions: string[];
  extensions: string[];
  aaguid: Uint8Array;
  /** The authenticator's option flags, such as `clientPin` (true when a PIN is set). */
  options: Map<string, boolean>;
  pinUvAuthProtocols: number[];
}

export class Ctap2Client {
  constructor(
    readonly device: CtapHidDevice,
    private readonly defaults: TransactionOptions,
  ) {}

  /** Sends a CTAP2 command and returns the decoded response map (empty for no data). */
  async request(
    command: number,
    parameters: Map<number, unknown> | undefined,
    name: string,
    options: Partial<TransactionOptions> = {},
  ): Promise<Map<number, unknown>> {
    const body = parameters ? new Uint8Array(cbor.encode(parameters)) : new Uint8Array(0);
    const payload = new Uint8Array(1 + body.length);
    payload[0] = command;
    payload.set(body, 1);
    const response = await this.device.transaction(CTAPHID.cbor, payload, {
      ...this.defaults,
      ...options,
    });

    const status = response[0];
    if (status === undefined) {
      throw new HardwareTokenError(
        'FIDO_RESPONSE_MALFORMED',
        `The security key sent an empty response to ${name}.`,
      );
    }
    if (status !== 0) throw new CtapStatusError(status, name);
    if (response.length === 1) return new Map();
    const decoded: unknown = cbor.decode(response.subarray(1));
    if (!(decoded instanceof Map)) {
      throw new HardwareTokenError(
        'FIDO_RESPONSE_MALFORMED',
        `The security key's response to ${name} is not a CBOR map.`,
      );
    }
    return decoded as Map<number, unknown>;
  }

  async getInfo(): Promise<AuthenticatorInfo> {
    const info = await this.request(CTAP2_COMMAND.getInfo, undefined, 'authenticatorGetInfo');
    const aaguid = info.get(3);
    return {
      versions: (info.get(1) as string[] | undefined) ?? [],
      extensions: (info.get(2) as string[] | undefined) ?? [],
      aaguid: aaguid instanceof Uint8Array ? aaguid : new Uint8Array(16),
      options: (info.get(4) as Map<string, boolean> | undefined) ?? new Map(),
      pinUvAuthProtocols: (info.get(6) as number[] | undefined) ?? [],
    };
  }
}
