// A FIDO2 authenticator in software behind the HidTransport interface (64-byte HID reports in
// and out), for tests. It implements CTAPHID channels, KEEPALIVE while it waits for a touch and
// CANCEL. Its CTAP2 commands are getInfo, clientPIN (PIN/UV auth protocol 2), makeCredential
// and getAssertion with the hmac-secret extension. Credentials live in memory only.
import { p256 } from '@noble/curves/nist.js';
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import { cbor } from '../../src/fido2/ctap2-client.ts';
import {
  BROADCAST_CHANNEL,
  CTAPHID,
  FrameAssembler,
  encodeFrames,
} from '../../src/fido2/ctaphid-frames.ts';
import type { HidTransport } from '../../src/fido2/hid-transport.ts';
import { coseKeyOf, pointOfCoseKey } from '../../src/fido2/pin-uv-auth-protocol.ts';

/** How the simulated user responds to a request for a touch. */
export type Presence = 'touch' | 'never';

interface Credential {
  rpIdHash: Buffer;
  privateKey: Uint8Array;
  credRandomWithUv: Buffer;
  credRandomWithoutUv: Buffer;
}

/** What a software authenticator keeps across processes, as JSON (hex for bytes). */
export interface SoftwareAuthenticatorState {
  pin: string | null;
  pinRetries: number;
  presence: Presence;
  credentials: Array<{
    id: string;
    rpIdHash: string;
    privateKey: string;
    credRandomWithUv: string;
    credRandomWithoutUv: string;
  }>;
}

class CtapError extends Error {
  constructor(readonly status: number) {
    super(`CTAP2 status 0x${status.toString(16)}`);
  }
}

const sha256 = (data: Uint8Array): Buffer => createHash('sha256').update(data).digest();
const hmac = (key: Uint8Array, data: Uint8Array): Buffer =>
  createHmac('sha256', key).update(data).digest();
const hkdf = (z: Uint8Array, info: string): Buffer =>
  Buffer.from(hkdfSync('sha256', z, new Uint8Array(32), info, 32));

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

export class SoftwareAuthenticator implements HidTransport {
  presence: Presence = 'touch';
  pinRetries = 8;
  readonly aaguid = new Uint8Array(16).fill(0x5e);
  readonly credentials = new Map<string, Credential>();
  touchRequests = 0;
  /** Rejects getAssertion with "up": false (status 2C), as some CTAP 2.0 keys do. */
  rejectsSilentCheck = false;

  private pin: string | undefined;
  private keyAgreement = p256.utils.randomSecretKey();
  private token: { value: Buffer; permissions: number; rpId: string } | undefined;
  private consecutiveFailures = 0;
  private nextChannel = 1;
  private readonly assembler = new FrameAssembler();
  private readonly outgoing: Uint8Array[] = [];
  private waiters: Array<() => void> = [];
  private cancelled = false;
  private signCount = 0;

  constructor(options: { pin?: string; presence?: Presence } = {}) {
    this.pin = options.pin;
    this.presence = options.presence ?? 'touch';
  }

  /** Returns the credentials, PIN and counters, so another process can continue with them. */
  exportState(): SoftwareAuthenticatorState {
    const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
    return {
      pin: this.pin ?? null,
      pinRetries: this.pinRetries,
      presence: this.presence,
      credentials: [...this.credentials].map(([id, credential]) => ({
        id,
        rpIdHash: hex(credential.rpIdHash),
        privateKey: hex(credential.privateKey),
        credRandomWithUv: hex(credential.credRandomWithUv),
        credRandomWithoutUv: hex(credential.credRandomWithoutUv),
      })),
    };
  }

  /** Rebuilds an authenticator from `exportState()` output, as if the same key was plugged in. */
  static fromState(state: SoftwareAuthenticatorState): SoftwareAuthenticator {
    const authenticator = new SoftwareAuthenticator({
      pin: state.pin ?? undefined,
      presence: state.presence,
    });
    authenticator.pinRetries = state.pinRetries;
    for (const credential of state.credentials) {
      authenticator.credentials.set(credential.id, {
        rpIdHash: Buffer.from(credential.rpIdHash, 'hex'),
        privateKey: new Uint8Array(Buffer.from(credential.privateKey, 'hex')),
        credRandomWithUv: Buffer.from(credential.credRandomWithUv, 'hex'),
        credRandomWithoutUv: Buffer.from(credential.credRandomWithoutUv, 'hex'),
      });
    }
    return authenticator;
  }

  async write(report: Uint8Array): Promise<void> {
    const message = this.assembler.push(report);
    if (!message) return;
    if (message.command === CTAPHID.init && message.channel === BROADCAST_CHANNEL) {
      const channel = this.nextChannel++;
      const payload = new Uint8Array(17);
      payload.set(message.payload.subarray(0, 8));
      new DataView(payload.buffer).setUint32(8, channel);
      payload.set([2, 1, 0, 0, 0x04], 12);
      this.send(BROADCAST_CHANNEL, CTAPHID.init, payload);
    } else if (message.command === CTAPHID.cancel) {
      this.cancelled = true;
    } else if (message.command === CTAPHID.cbor) {
      this.cancelled = false;
      void this.handleCbor(message.channel, message.payload);
    } else {
      this.send(message.channel, CTAPHID.error, Uint8Array.from([0x01]));
    }
  }

  async read(timeoutMs: number): Promise<Uint8Array | undefined> {
    if (this.outgoing.length === 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.outgoing.shift();
  }

  async close(): Promise<void> {}

  /** Unplugs and reinserts the key: new key agreement key, tokens and failure streak reset. */
  replug(): void {
    this.keyAgreement = p256.utils.randomSecretKey();
    this.token = undefined;
    this.consecutiveFailures = 0;
  }

  private send(channel: number, command: number, payload: Uint8Array): void {
    this.outgoing.push(...encodeFrames({ channel, command, payload }));
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  private async handleCbor(channel: number, payload: Uint8Array): Promise<void> {
    let response: Uint8Array;
    try {
      const parameters =
        payload.length > 1 ? (cbor.decode(payload.subarray(1)) as Map<number, unknown>) : new Map();
      const result = await this.dispatch(channel, payload[0]!, parameters);
      const body = result ? new Uint8Array(cbor.encode(result)) : new Uint8Array(0);
      response = Uint8Array.from([0x00, ...body]);
    } catch (error) {
      response = Uint8Array.from([error instanceof CtapError ? error.status : 0x7f]);
    }
    this.send(channel, CTAPHID.cbor, response);
  }

  private dispatch(channel: number, command: number, parameters: Map<number, unknown>) {
    switch (command) {
      case 0x04:
        return this.getInfo();
      case 0x06:
        return this.clientPin(parameters);
      case 0x01:
        return this.makeCredential(channel, parameters);
      case 0x02:
        return this.getAssertion(channel, parameters);
      default:
        throw new CtapError(0x01);
    }
  }

  private getInfo(): Map<number, unknown> {
    return new Map<number, unknown>([
      [1, ['FIDO_2_0', 'FIDO_2_1']],
      [2, ['hmac-secret']],
      [3, this.aaguid],
      [
        4,
        new Map([
          ['rk', false],
          ['up', true],
          ['clientPin', this.pin !== undefined],
        ]),
      ],
      [6, [2]],
    ]);
  }

  private sharedKeys(platformKey: unknown): { hmacKey: Buffer; aesKey: Buffer } {
    const z = p256.getSharedSecret(this.keyAgreement, pointOfCoseKey(platformKey)).slice(1, 33);
    return { hmacKey: hkdf(z, 'CTAP2 HMAC key'), aesKey: hkdf(z, 'CTAP2 AES key') };
  }

  private clientPin(parameters: Map<number, unknown>): Map<number, unknown> {
    const subCommand = parameters.get(2);
    if (subCommand === 0x01) return new Map([[3, this.pinRetries]]);
    if (subCommand === 0x02)
      return new Map([[1, coseKeyOf(p256.getPublicKey(this.keyAgreement, false))]]);
    if (subCommand !== 0x09) throw new CtapError(0x02);

    if (this.pin === undefined) throw new CtapError(0x35);
    if (this.pinRetries === 0) throw new CtapError(0x32);
    if (this.consecutiveFailures >= 3) throw new CtapError(0x34);
    const { aesKey } = this.sharedKeys(parameters.get(3));
    const pinHashEnc = parameters.get(6) as Uint8Array;
    const decipher = createDecipheriv(
      'aes-256-cbc',
      aesKey,
      pinHashEnc.subarray(0, 16),
    ).setAutoPadding(false);
    const pinHash = Buffer.concat([decipher.update(pinHashEnc.subarray(16)), decipher.final()]);
    if (!sameBytes(pinHash, sha256(Buffer.from(this.pin, 'utf8')).subarray(0, 16))) {
      this.pinRetries -= 1;
      this.consecutiveFailures += 1;
      this.keyAgreement = p256.utils.randomSecretKey();
      if (this.pinRetries === 0) throw new CtapError(0x32);
      if (this.consecutiveFailures >= 3) throw new CtapError(0x34);
      throw new CtapError(0x31);
    }
    this.pinRetries = 8;
    this.consecutiveFailures = 0;
    this.token = {
      value: randomBytes(32),
      permissions: Number(parameters.get(9)),
      rpId: String(parameters.get(10)),
    };
    const iv = randomBytes(16);
    const cipher = createCipheriv('aes-256-cbc', aesKey, iv).setAutoPadding(false);
    return new Map([
      [2, new Uint8Array(Buffer.concat([iv, cipher.update(this.token.value), cipher.final()]))],
    ]);
  }

  /** Checks pinUvAuthParam; returns true when the user was verified. */
  private verifyUser(
    parameters: Map<number, unknown>,
    paramKey: number,
    clientDataHash: Uint8Array,
    permission: number,
    rpId: string,
  ): boolean {
    const pinUvAuthParam = parameters.get(paramKey) as Uint8Array | undefined;
    if (pinUvAuthParam === undefined) return false;
    const token = this.token;
    if (!token || (token.permissions & permission) === 0 || token.rpId !== rpId)
      throw new CtapError(0x33);
    if (!sameBytes(pinUvAuthParam, hmac(token.value, clientDataHash))) throw new CtapError(0x33);
    return true;
  }

  /** Sends KEEPALIVE (touch needed) until the simulated user touches or the platform cancels. */
  private async awaitTouch(channel: number): Promise<void> {
    this.touchRequests += 1;
    for (let round = 0; round < 600; round += 1) {
      if (this.cancelled) throw new CtapError(0x2d);
      this.send(channel, CTAPHID.keepalive, Uint8Array.from([2]));
      await new Promise((resolve) => setTimeout(resolve, 20));
      if (this.presence === 'touch') return;
    }
    throw new CtapError(0x2f);
  }

  private async makeCredential(
    channel: number,
    parameters: Map<number, unknown>,
  ): Promise<Map<number, unknown>> {
    const clientDataHash = parameters.get(1) as Uint8Array;
    const rpId = String((parameters.get(2) as Map<string, unknown>).get('id'));
    const algorithms = (parameters.get(4) as Array<Map<string, unknown>>).map((entry) =>
      entry.get('alg'),
    );
    if (!algorithms.includes(-7)) throw new CtapError(0x26);
    const extensions = parameters.get(6) as Map<string, unknown> | undefined;
    const withHmacSecret = extensions?.get('hmac-secret') === true;

    if (this.pin !== undefined && !parameters.has(8)) throw new CtapError(0x36);
    const userVerified = this.verifyUser(parameters, 8, clientDataHash, 0x01, rpId);
    await this.awaitTouch(channel);

    const credentialId = randomBytes(32);
    const privateKey = p256.utils.randomSecretKey();
    this.credentials.set(credentialId.toString('hex'), {
      rpIdHash: sha256(Buffer.from(rpId)),
      privateKey,
      credRandomWithUv: randomBytes(32),
      credRandomWithoutUv: randomBytes(32),
    });
    const publicKey = p256.getPublicKey(privateKey, false);
    const coseKey = new Map<number, unknown>([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, publicKey.slice(1, 33)],
      [-3, publicKey.slice(33)],
    ]);
    const flags = 0x01 | (userVerified ? 0x04 : 0) | 0x40 | (withHmacSecret ? 0x80 : 0);
    const authData = Buffer.concat([
      sha256(Buffer.from(rpId)),
      Buffer.from([flags, 0, 0, 0, 0]),
      this.aaguid,
      Buffer.from([0, credentialId.length]),
      credentialId,
      cbor.encode(coseKey),
      withHmacSecret ? cbor.encode(new Map([['hmac-secret', true]])) : Buffer.alloc(0),
    ]);
    return new Map<number, unknown>([
      [1, 'none'],
      [2, new Uint8Array(authData)],
      [3, new Map()],
    ]);
  }

  private async getAssertion(
    channel: number,
    parameters: Map<number, unknown>,
  ): Promise<Map<number, unknown>> {
    const rpId = String(parameters.get(1));
    const clientDataHash = parameters.get(2) as Uint8Array;
    const allowList = (parameters.get(3) as Array<Map<string, unknown>> | undefined) ?? [];
    // Options are checked before the credential lookup, so a probe never reveals the credential.
    const requestedUp = (parameters.get(5) as Map<string, unknown> | undefined)?.get('up');
    if (requestedUp === false && this.rejectsSilentCheck) throw new CtapError(0x2c);
    const rpIdHash = sha256(Buffer.from(rpId));
    const match = allowList
      .map((entry) => entry.get('id') as Uint8Array)
      .map((id) => ({ id, credential: this.credentials.get(Buffer.from(id).toString('hex')) }))
      .find((entry) => entry.credential?.rpIdHash.equals(rpIdHash));
    if (!match?.credential) throw new CtapError(0x2e);

    const options = parameters.get(5) as Map<string, unknown> | undefined;
    const userPresence = options?.get('up') !== false;
    const userVerified = this.verifyUser(parameters, 6, clientDataHash, 0x02, rpId);
    if (userPresence) await this.awaitTouch(channel);

    let extensionOutput: Buffer = Buffer.alloc(0);
    const hmacSecret = (parameters.get(4) as Map<string, unknown> | undefined)?.get(
      'hmac-secret',
    ) as Map<number, unknown> | undefined;
    if (hmacSecret) {
      const { hmacKey, aesKey } = this.sharedKeys(hmacSecret.get(1));
      const saltEnc = hmacSecret.get(2) as Uint8Array;
      if (!sameBytes(hmacSecret.get(3) as Uint8Array, hmac(hmacKey, saltEnc)))
        throw new CtapError(0x33);
      const decipher = createDecipheriv(
        'aes-256-cbc',
        aesKey,
        saltEnc.subarray(0, 16),
      ).setAutoPadding(false);
      const salt = Buffer.concat([decipher.update(saltEnc.subarray(16)), decipher.final()]);
      if (salt.length !== 32 && salt.length !== 64) throw new CtapError(0x02);
      const credRandom = userVerified
        ? match.credential.credRandomWithUv
        : match.credential.credRandomWithoutUv;
      const output = Buffer.concat([
        hmac(credRandom, salt.subarray(0, 32)),
        salt.length === 64 ? hmac(credRandom, salt.subarray(32)) : Buffer.alloc(0),
      ]);
      const iv = randomBytes(16);
      const cipher = createCipheriv('aes-256-cbc', aesKey, iv).setAutoPadding(false);
      const encrypted = new Uint8Array(Buffer.concat([iv, cipher.update(output), cipher.final()]));
      extensionOutput = Buffer.from(cbor.encode(new Map([['hmac-secret', encrypted]])));
    }

    this.signCount += 1;
    const flags = (userPresence ? 0x01 : 0) | (userVerified ? 0x04 : 0) | (hmacSecret ? 0x80 : 0);
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(this.signCount);
    const authData = Buffer.concat([rpIdHash, Buffer.from([flags]), counter, extensionOutput]);
    const signature = p256.sign(
      Buffer.concat([authData, clientDataHash]),
      match.credential.privateKey,
      { format: 'der' },
    );
    return new Map<number, unknown>([
      [
        1,
        new Map<string, unknown>([
          ['id', match.id],
          ['type', 'public-key'],
        ]),
      ],
      [2, new Uint8Array(authData)],
      [3, signature],
    ]);
  }
}
