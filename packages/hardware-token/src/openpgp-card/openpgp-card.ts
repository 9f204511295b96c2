// Client for the OpenPGP card application (OpenPGP card specification 3.4): SELECT, reading
// the application and cardholder data, VERIFY and CHANGE REFERENCE DATA for the PINs,
// PSO:COMPUTE DIGITAL SIGNATURE (Ed25519), PSO:DECIPHER (X25519 ECDH), key generation and key
// import. Key checks (slot filled, algorithm, expected fingerprint) run before a PIN is sent,
// so a wrong card never costs a PIN try. PIN bytes are wiped after each command.
import { HardwareTokenError } from '../errors.ts';
import { SW_SUCCESS, type ResponseApdu } from '../pcsc/apdu.ts';
import { concatBytes, encodeTlv, findTlv, parseTlv } from '../pcsc/ber-tlv.ts';
import type { CardTransport } from '../pcsc/card-transport.ts';
import {
  parseApplicationData,
  parseCardholderData,
  type ApplicationData,
  type CardholderData,
} from './application-data.ts';
import { CardChannel } from './card-channel.ts';
import { buildEccKeyImport } from './key-import.ts';
import {
  KEY_SLOT_TAGS,
  describeAttributes,
  encodeAlgorithmAttributes,
  type CardAlgorithm,
  type KeySlot,
} from './key-slots.ts';
import {
  INS,
  OPENPGP_AID,
  MIN_PIN_LENGTH,
  VERIFY_P2,
  hex,
  nativePoint,
  type PinPurpose,
} from './card-commands.ts';
import { pinErrorFor, statusError, type PinReference } from './status-errors.ts';

export interface CardKeyOperation {
  pin: string;
  /** Fingerprint the caller expects in the slot; a different one raises CARD_KEY_MISMATCH. */
  expectedFingerprint?: Uint8Array;
}

export class OpenPgpCard {
  private data: ApplicationData;

  private constructor(
    private readonly channel: CardChannel,
    data: ApplicationData,
  ) {
    this.data = data;
  }

  /** Selects the OpenPGP application on the card behind `transport` and reads its data. */
  static async open(transport: CardTransport): Promise<OpenPgpCard> {
    const channel = new CardChannel(transport);
    const select = await channel.send({
      cla: 0x00,
      ins: INS.select,
      p1: 0x04,
      p2: 0x00,
      data: OPENPGP_AID,
    });
    if (select.sw !== SW_SUCCESS) throw statusError(select.sw, 'SELECT of the OpenPGP application');

    const card = new OpenPgpCard(channel, await OpenPgpCard.fetchApplicationData(channel));
    return card;
  }

  private static async fetchApplicationData(channel: CardChannel): Promise<ApplicationData> {
    const response = await channel.send({ cla: 0x00, ins: INS.getData, p1: 0x00, p2: 0x6e });
    if (response.sw !== SW_SUCCESS) throw statusError(response.sw, 'GET DATA 6E');
    const data = parseApplicationData(response.data);
    channel.capabilities = {
      extendedLength: data.supportsExtendedLength,
      commandChaining: data.supportsCommandChaining,
      maxCommandLength: data.maxCommandLength,
    };
    return data;
  }

  /** Application data as last read; refreshed after every command that changes it. */
  get applicationData(): ApplicationData {
    return this.data;
  }

  get readerName(): string {
    return this.channel.transport.readerName;
  }

  async refresh(): Promise<ApplicationData> {
    this.data = await OpenPgpCard.fetchApplicationData(this.channel);
    return this.data;
  }

  async readCardholderData(): Promise<CardholderData> {
    const response = await this.channel.send({ cla: 0x00, ins: INS.getData, p1: 0x00, p2: 0x65 });
    if (response.sw !== SW_SUCCESS) throw statusError(response.sw, 'GET DATA 65');
    return parseCardholderData(response.data);
  }

  /** Sends VERIFY for `purpose`; a wrong PIN raises CARD_PIN_INVALID with the tries left. */
  async verifyPin(purpose: PinPurpose, pin: string): Promise<void> {
    const reference: PinReference = purpose === 'admin' ? 'admin' : 'user';
    const pinBytes = this.encodePin(reference, pin);
    try {
      const response = await this.channel.send({
        cla: 0x00,
        ins: INS.verify,
        p1: 0x00,
        p2: VERIFY_P2[purpose],
        data: pinBytes,
        expectResponse: false,
      });
      await this.checkPinResponse(response, reference, 'VERIFY');
    } finally {
      pinBytes.fill(0);
    }
  }

  /** Changes PW1 (`user`) or PW3 (`admin`) with CHANGE REFERENCE DATA. */
  async changePin(reference: 'user' | 'admin', currentPin: string, newPin: string): Promise<void> {
    const current = this.encodePin(reference, currentPin);
    const next = this.encodePin(reference, newPin);
    const body = concatBytes([current, next]);
    try {
      const response = await this.channel.send({
        cla: 0x00,
        ins: INS.changeReferenceData,
        p1: 0x00,
        p2: reference === 'admin' ? 0x83 : 0x81,
        data: body,
        expectResponse: false,
      });
      await this.checkPinResponse(response, reference, 'CHANGE REFERENCE DATA');
    } finally {
      current.fill(0);
      next.fill(0);
      body.fill(0);
    }
  }

  /** Sets a new PW1 and resets its retry counter, authorised by the admin PIN. */
  async resetUserPin(adminPin: string, newUserPin: string): Promise<void> {
    await this.verifyPin('admin', adminPin);
    const next = this.encodePin('user', newUserPin, { allowBlocked: true });
    try {
      const response = await this.channel.send({
        cla: 0x00,
        ins: INS.resetRetryCounter,
        p1: 0x02,
        p2: 0x81,
        data: next,
        expectResponse: false,
      });
      if (response.sw !== SW_SUCCESS) throw statusError(response.sw, 'RESET RETRY COUNTER');
    } finally {
      next.fill(0);
      await this.refresh();
    }
  }

  /** Signs `digest` (the OpenPGP signature hash) with the card's Ed25519 signature key. */
  async sign(digest: Uint8Array, operation: CardKeyOperation): Promise<Uint8Array> {
    if (digest.length < 32 || digest.length > 64) {
      throw new RangeError(`The digest to sign must have 32 to 64 bytes, got ${digest.length}`);
    }
    this.checkKey('signature', 'ed25519', operation.expectedFingerprint);
    await this.verifyPin('user-signing', operation.pin);

    const response = await this.channel.send({
      cla: 0x00,
      ins: INS.performSecurityOperation,
      p1: 0x9e,
      p2: 0x9a,
      data: digest,
    });
    if (response.sw !== SW_SUCCESS) throw statusError(response.sw, 'PSO:COMPUTE DIGITAL SIGNATURE');
    if (response.data.length !== 64) {
      throw new HardwareTokenError(
        'CARD_RESPONSE_MALFORMED',
        `The card returned a ${response.data.length}-byte Ed25519 signature instead of 64 bytes.`,
      );
    }
    return response.data;
  }

  /**
   * Computes the X25519 shared secret of the card's decryption key and the sender's ephemeral
   * public key (PSO:DECIPHER). The caller owns and wipes the returned secret.
   */
  async decipher(ephemeralPublicKey: Uint8Array, operation: CardKeyOperation): Promise<Uint8Array> {
    const point = nativePoint(ephemeralPublicKey, 'ephemeral public key');
    this.checkKey('decryption', 'x25519', operation.expectedFingerprint);
    await this.verifyPin('user', operation.pin);

    const data = encodeTlv(0xa6, [encodeTlv(0x7f49, [encodeTlv(0x86, point)])]);
    const response = await this.channel.send({
      cla: 0x00,
      ins: INS.performSecurityOperation,
      p1: 0x80,
      p2: 0x86,
      data,
    });
    if (response.sw !== SW_SUCCESS) throw statusError(response.sw, 'PSO:DECIPHER');
    const secret = nativePoint(response.data, 'shared secret');
    response.data.fill(0);
    return secret;
  }

  /** Generates a key pair in `slot` and returns its native 32-byte public key. */
  async generateKey(
    slot: KeySlot,
    algorithm: 'ed25519' | 'x25519',
    adminPin: string,
  ): Promise<Uint8Array> {
    await this.verifyPin('admin', adminPin);
    await this.ensureAlgorithm(slot, algorithm);
    const response = await this.channel.send({
      cla: 0x00,
      ins: INS.generateKeyPair,
      p1: 0x80,
      p2: 0x00,
      data: Uint8Array.from([KEY_SLOT_TAGS[slot].crt, 0x00]),
    });
    if (response.sw !== SW_SUCCESS) throw statusError(response.sw, 'GENERATE ASYMMETRIC KEY PAIR');
    await this.refresh();
    return this.publicKeyFrom(response);
  }

  /** Reads the public key of `slot` (GENERATE ASYMMETRIC KEY PAIR with P1 81). */
  async readPublicKey(slot: KeySlot): Promise<Uint8Array> {
    const response = await this.channel.send({
      cla: 0x00,
      ins: INS.generateKeyPair,
      p1: 0x81,
      p2: 0x00,
      data: Uint8Array.from([KEY_SLOT_TAGS[slot].crt, 0x00]),
    });
    if (response.sw !== SW_SUCCESS)
      throw statusError(response.sw, `reading the ${slot} public key`);
    return this.publicKeyFrom(response);
  }

  /** Imports an existing Ed25519 or X25519 private key into `slot`. */
  async importKey(
    slot: KeySlot,
    algorithm: 'ed25519' | 'x25519',
    privateKey: Uint8Array,
    adminPin: string,
  ): Promise<void> {
    if (privateKey.length !== 32) {
      throw new RangeError(`A ${algorithm} private key has 32 bytes, got ${privateKey.length}`);
    }
    if (!this.data.supportsKeyImport) {
      throw new HardwareTokenError(
        'CARD_ALGORITHM_UNSUPPORTED',
        `The card in "${this.readerName}" does not support key import. Generate the key on the card instead.`,
      );
    }
    await this.verifyPin('admin', adminPin);
    await this.ensureAlgorithm(slot, algorithm);
    const body = buildEccKeyImport({ slot, privateKey });
    try {
      const response = await this.channel.send({
        cla: 0x00,
        ins: INS.putDataOdd,
        p1: 0x3f,
        p2: 0xff,
        data: body,
        expectResponse: false,
      });
      if (response.sw !== SW_SUCCESS) throw statusError(response.sw, 'key import (PUT DATA 4D)');
    } finally {
      body.fill(0);
    }
    await this.refresh();
  }

  /**
   * Stores the OpenPGP v4 fingerprint and creation time of the key in `slot`. The card does not
   * compute fingerprints, so the host writes them after generation or import.
   * Requires the admin PIN verified in this session.
   */
  async setKeyMetadata(slot: KeySlot, fingerprint: Uint8Array, created: Date): Promise<void> {
    if (fingerprint.length !== 20) {
      throw new RangeError(`A v4 fingerprint has 20 bytes, got ${fingerprint.length}`);
    }
    const time = Buffer.alloc(4);
    time.writeUInt32BE(Math.floor(created.getTime() / 1000));
    await this.putData(KEY_SLOT_TAGS[slot].fingerprint, fingerprint);
    await this.putData(KEY_SLOT_TAGS[slot].generationTime, new Uint8Array(time));
    await this.refresh();
  }

  async close(): Promise<void> {
    await this.channel.transport.close();
  }

  private async putData(tag: number, value: Uint8Array): Promise<void> {
    const response = await this.channel.send({
      cla: 0x00,
      ins: INS.putData,
      p1: tag >> 8,
      p2: tag & 0xff,
      data: value,
      expectResponse: false,
    });
    if (response.sw !== SW_SUCCESS)
      throw statusError(response.sw, `PUT DATA ${tag.toString(16).toUpperCase()}`);
  }

  private async ensureAlgorithm(slot: KeySlot, algorithm: 'ed25519' | 'x25519'): Promise<void> {
    if (this.data.algorithmAttributes[slot].algorithm === algorithm) return;
    if (!this.data.supportsAlgorithmAttributeChange) {
      throw new HardwareTokenError(
        'CARD_ALGORITHM_UNSUPPORTED',
        `The card's ${slot} slot uses ${describeAttributes(this.data.algorithmAttributes[slot])} and the card cannot switch it to ${algorithm}. Use a card that supports Curve25519.`,
      );
    }
    await this.putData(
      KEY_SLOT_TAGS[slot].algorithmAttributes,
      encodeAlgorithmAttributes(algorithm),
    );
    await this.refresh();
  }

  private publicKeyFrom(response: ResponseApdu): Uint8Array {
    const point = findTlv(parseTlv(response.data), 0x86);
    if (!point) {
      throw new HardwareTokenError(
        'CARD_RESPONSE_MALFORMED',
        'The card returned a public key template (7F49) without the point (tag 86).',
      );
    }
    return nativePoint(point.value, 'public key');
  }

  private checkKey(slot: KeySlot, algorithm: CardAlgorithm, expected?: Uint8Array): void {
    const attributes = this.data.algorithmAttributes[slot];
    const stored = this.data.fingerprints[slot];
    if (!stored) {
      throw new HardwareTokenError(
        'CARD_KEY_MISSING',
        `The ${slot} key slot of the card in "${this.readerName}" is empty. Generate or import a key first.`,
      );
    }
    if (attributes.algorithm !== algorithm) {
      throw new HardwareTokenError(
        'CARD_ALGORITHM_UNSUPPORTED',
        `The card's ${slot} key is ${describeAttributes(attributes)}, but Sealpost needs ${algorithm}. Generate or import a ${algorithm} key.`,
      );
    }
    if (expected && hex(expected) !== hex(stored)) {
      throw new HardwareTokenError(
        'CARD_KEY_MISMATCH',
        `The card's ${slot} key has fingerprint ${hex(stored)}, but ${hex(expected)} was expected. Insert the card that holds this key.`,
      );
    }
  }

  /** Encodes and checks a PIN; `allowBlocked` is for a new PIN that replaces a blocked one. */
  private encodePin(
    reference: 'user' | 'admin',
    pin: string,
    options: { allowBlocked?: boolean } = {},
  ): Uint8Array {
    const bytes = new Uint8Array(Buffer.from(pin, 'utf8'));
    const max = this.data.pinStatus.maxLength[reference];
    const min = MIN_PIN_LENGTH[reference];
    if (bytes.length < min || bytes.length > max) {
      bytes.fill(0);
      throw new HardwareTokenError(
        'CARD_PIN_FORMAT_INVALID',
        `The ${reference} PIN must have ${min} to ${max} bytes, got ${bytes.length}. No try was used.`,
      );
    }
    if (this.data.pinStatus.retries[reference] === 0 && !options.allowBlocked) {
      bytes.fill(0);
      throw pinErrorFor(0x6983, reference);
    }
    return bytes;
  }

  private async checkPinResponse(
    response: ResponseApdu,
    reference: PinReference,
    command: string,
  ): Promise<void> {
    if (response.sw === SW_SUCCESS) return;
    const isPinFailure = (response.sw & 0xfff0) === 0x63c0 || response.sw === 0x6983;
    // Reread the counters, so that a blocked PIN is rejected before the next VERIFY is sent.
    await this.refresh();
    if (isPinFailure) throw pinErrorFor(response.sw, reference);
    throw statusError(response.sw, command);
  }
}
