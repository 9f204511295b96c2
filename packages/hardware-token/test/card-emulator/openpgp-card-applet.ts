// An OpenPGP card application (specification 3.4) in software, for tests that drive the real
// pcscd through the vpcd virtual reader. It keeps PIN retry counters and blocking, three key
// slots with algorithm attributes, command chaining, GET RESPONSE and the standard status
// words. It supports Ed25519 signing and X25519 decryption keys only. Test code only.
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { concatBytes, encodeTlv, findTlv, parseTlv } from '../../src/pcsc/ber-tlv.ts';
import {
  ATTRIBUTE_TAGS,
  CRT_TO_SLOT,
  ED25519_ATTRIBUTES,
  FINGERPRINT_TAGS,
  RSA2048_ATTRIBUTES,
  SLOTS,
  SW,
  TIME_TAGS,
  X25519_ATTRIBUTES,
  type Slot,
} from './applet-constants.ts';
import { decodeCommandApdu, type DecodedCommand } from './command-apdu.ts';

interface KeySlotState {
  attributes: Uint8Array;
  /** Native private key: Ed25519 seed or X25519 scalar. */
  privateKey: Uint8Array | null;
  publicKey: Uint8Array | null;
  fingerprint: Uint8Array;
  time: Uint8Array;
}

interface Pin {
  value: Uint8Array;
  retries: number;
}

export interface AppletOptions {
  extendedLength?: boolean;
  commandChaining?: boolean;
  serial?: number;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, index) => byte === b[index]);
}

function withStatus(data: Uint8Array, sw: number): Uint8Array {
  return concatBytes([data, Uint8Array.from([sw >> 8, sw & 0xff])]);
}

export class OpenPgpCardApplet {
  readonly userPin: Pin = { value: new TextEncoder().encode('123456'), retries: 3 };
  readonly adminPin: Pin = { value: new TextEncoder().encode('12345678'), retries: 3 };
  readonly slots: Record<Slot, KeySlotState>;
  signatureCount = 0;

  private selected = false;
  private verified = { signing: false, user: false, admin: false };
  private userPinValidForMultipleSignatures = false;
  private chain: Uint8Array[] = [];
  private pendingResponse: Uint8Array = new Uint8Array(0);
  private readonly extendedLength: boolean;
  private readonly commandChaining: boolean;
  private readonly serial: number;
  private cardholderName = new Uint8Array(0);

  constructor(options: AppletOptions = {}) {
    this.extendedLength = options.extendedLength ?? true;
    this.commandChaining = options.commandChaining ?? true;
    this.serial = options.serial ?? 0x00001234;
    const emptySlot = (): KeySlotState => ({
      attributes: RSA2048_ATTRIBUTES.slice(),
      privateKey: null,
      publicKey: null,
      fingerprint: new Uint8Array(20),
      time: new Uint8Array(4),
    });
    this.slots = { signature: emptySlot(), decryption: emptySlot(), authentication: emptySlot() };
  }

  /** Power-on or reset: volatile state (verified PINs, selection, chains) is cleared. */
  reset(): void {
    this.selected = false;
    this.verified = { signing: false, user: false, admin: false };
    this.chain = [];
    this.pendingResponse = new Uint8Array(0);
  }

  /** Processes one command APDU and returns the response APDU. */
  process(raw: Uint8Array): Uint8Array {
    const command = decodeCommandApdu(raw);
    if (!command) return withStatus(new Uint8Array(0), SW.wrongLength);
    if (command.extended && !this.extendedLength)
      return withStatus(new Uint8Array(0), SW.wrongLength);
    if ((command.cla & ~0x10) !== 0x00) return withStatus(new Uint8Array(0), SW.claNotSupported);

    if (command.ins === 0xc0) return this.nextResponsePart(command.le);

    if ((command.cla & 0x10) !== 0) {
      if (!this.commandChaining) return withStatus(new Uint8Array(0), 0x6884);
      this.chain.push(command.data);
      return withStatus(new Uint8Array(0), SW.ok);
    }
    if (this.chain.length > 0) {
      command.data = concatBytes([...this.chain, command.data]);
      this.chain = [];
    }

    const [data, sw] = this.dispatch(command);
    const max = command.extended ? 65536 : 256;
    if (sw === SW.ok && data.length > max) {
      this.pendingResponse = data.slice(max);
      const remaining = Math.min(this.pendingResponse.length, 256) & 0xff;
      return withStatus(data.slice(0, max), 0x6100 | remaining);
    }
    return withStatus(data, sw);
  }

  private nextResponsePart(le: number): Uint8Array {
    const part = this.pendingResponse.slice(0, le || 256);
    this.pendingResponse = this.pendingResponse.slice(part.length);
    if (this.pendingResponse.length === 0) return withStatus(part, SW.ok);
    return withStatus(part, 0x6100 | (Math.min(this.pendingResponse.length, 256) & 0xff));
  }

  private dispatch(command: DecodedCommand): [Uint8Array, number] {
    const empty = new Uint8Array(0);
    if (command.ins === 0xa4) return [empty, this.select(command.data)];
    if (!this.selected) return [empty, SW.conditions];
    switch (command.ins) {
      case 0xca:
        return this.getData((command.p1 << 8) | command.p2);
      case 0x20:
        return [empty, this.verify(command.p2, command.data)];
      case 0x24:
        return [empty, this.changeReferenceData(command.p2, command.data)];
      case 0x2c:
        return [empty, this.resetRetryCounter(command.p1, command.data)];
      case 0xda:
        return [empty, this.putData((command.p1 << 8) | command.p2, command.data)];
      case 0xdb:
        return [empty, this.importKey(command.data)];
      case 0x47:
        return this.generateKeyPair(command.p1, command.data);
      case 0x2a:
        if (command.p1 === 0x9e && command.p2 === 0x9a) return this.computeSignature(command.data);
        if (command.p1 === 0x80 && command.p2 === 0x86) return this.decipher(command.data);
        return [empty, SW.wrongP1P2];
      default:
        return [empty, SW.insNotSupported];
    }
  }

  private select(aid: Uint8Array): number {
    if (!sameBytes(aid.subarray(0, 6), Uint8Array.from([0xd2, 0x76, 0x00, 0x01, 0x24, 0x01]))) {
      return SW.fileNotFound;
    }
    this.selected = true;
    return SW.ok;
  }

  private aid(): Uint8Array {
    const serial = [
      this.serial >>> 24,
      (this.serial >> 16) & 0xff,
      (this.serial >> 8) & 0xff,
      this.serial & 0xff,
    ];
    // Version 3.4, manufacturer 0xFFFE (reserved for test cards), serial, two RFU bytes.
    return Uint8Array.from([
      0xd2,
      0x76,
      0x00,
      0x01,
      0x24,
      0x01,
      0x03,
      0x04,
      0xff,
      0xfe,
      ...serial,
      0,
      0,
    ]);
  }

  private historicalBytes(): Uint8Array {
    const capabilities = (this.commandChaining ? 0x80 : 0) | (this.extendedLength ? 0x40 : 0);
    return Uint8Array.from([0x00, 0x73, 0x00, 0x00, capabilities, 0x05, 0x90, 0x00]);
  }

  private pinStatus(): Uint8Array {
    const validity = this.userPinValidForMultipleSignatures ? 1 : 0;
    return Uint8Array.from([
      validity,
      127,
      127,
      127,
      this.userPin.retries,
      0,
      this.adminPin.retries,
    ]);
  }

  private applicationRelatedData(): Uint8Array {
    // Key import (0x20), PW status changeable (0x10), algorithm attributes changeable (0x04).
    const extendedCapabilities = Uint8Array.from([0x34, 0, 0, 0, 0x08, 0, 0x00, 0xff, 0x00, 0x00]);
    const lengthInfo = encodeTlv(0x7f66, [
      encodeTlv(0x02, Uint8Array.from([0x08, 0x00])),
      encodeTlv(0x02, Uint8Array.from([0x08, 0x00])),
    ]);
    const discretionary = encodeTlv(0x73, [
      encodeTlv(0xc0, extendedCapabilities),
      ...SLOTS.map((slot) => encodeTlv(ATTRIBUTE_TAGS[slot], this.slots[slot].attributes)),
      encodeTlv(0xc4, this.pinStatus()),
      encodeTlv(0xc5, concatBytes(SLOTS.map((slot) => this.slots[slot].fingerprint))),
      encodeTlv(0xc6, new Uint8Array(60)),
      encodeTlv(0xcd, concatBytes(SLOTS.map((slot) => this.slots[slot].time))),
    ]);
    return encodeTlv(0x6e, [
      encodeTlv(0x4f, this.aid()),
      encodeTlv(0x5f52, this.historicalBytes()),
      ...(this.extendedLength ? [lengthInfo] : []),
      discretionary,
    ]);
  }

  private getData(tag: number): [Uint8Array, number] {
    switch (tag) {
      case 0x6e:
        // Constructed data objects come back with their own tag, as real cards send them.
        return [this.applicationRelatedData(), SW.ok];
      case 0x65:
        return [
          encodeTlv(0x65, [
            encodeTlv(0x5b, this.cardholderName),
            encodeTlv(0x5f2d, new TextEncoder().encode('en')),
            encodeTlv(0x5f35, Uint8Array.from([0x39])),
          ]),
          SW.ok,
        ];
      case 0x4f:
        return [this.aid(), SW.ok];
      case 0x5f52:
        return [this.historicalBytes(), SW.ok];
      case 0xc4:
        return [this.pinStatus(), SW.ok];
      case 0x7a:
        return [encodeTlv(0x93, Uint8Array.from([0, 0, this.signatureCount])), SW.ok];
      default:
        return [new Uint8Array(0), SW.notFound];
    }
  }

  private verify(p2: number, pin: Uint8Array): number {
    const isAdmin = p2 === 0x83;
    if (p2 !== 0x81 && p2 !== 0x82 && !isAdmin) return SW.wrongP1P2;
    const reference = isAdmin ? this.adminPin : this.userPin;
    let flag: 'signing' | 'user' | 'admin' = 'admin';
    if (p2 === 0x81) flag = 'signing';
    if (p2 === 0x82) flag = 'user';

    // An empty VERIFY requests the status: 9000 when verified, else 63CX.
    if (pin.length === 0) return this.verified[flag] ? SW.ok : 0x63c0 | reference.retries;
    if (reference.retries === 0) return SW.blocked;
    if (!sameBytes(pin, reference.value)) {
      reference.retries -= 1;
      this.verified[flag] = false;
      return reference.retries === 0 ? SW.blocked : 0x63c0 | reference.retries;
    }
    reference.retries = 3;
    this.verified[flag] = true;
    return SW.ok;
  }

  private changeReferenceData(p2: number, data: Uint8Array): number {
    if (p2 !== 0x81 && p2 !== 0x83) return SW.wrongP1P2;
    const reference = p2 === 0x83 ? this.adminPin : this.userPin;
    if (reference.retries === 0) return SW.blocked;
    // The card splits old and new PIN at the length of the stored PIN.
    const current = data.subarray(0, reference.value.length);
    const next = data.slice(reference.value.length);
    if (!sameBytes(current, reference.value)) {
      reference.retries -= 1;
      return reference.retries === 0 ? SW.blocked : 0x63c0 | reference.retries;
    }
    if (next.length < (p2 === 0x83 ? 8 : 6)) return SW.wrongLength;
    reference.value = next;
    reference.retries = 3;
    return SW.ok;
  }

  private resetRetryCounter(p1: number, data: Uint8Array): number {
    if (p1 !== 0x02) return SW.wrongP1P2;
    if (!this.verified.admin) return SW.securityStatus;
    if (data.length < 6) return SW.wrongLength;
    this.userPin.value = data.slice();
    this.userPin.retries = 3;
    return SW.ok;
  }

  private putData(tag: number, data: Uint8Array): number {
    if (!this.verified.admin) return SW.securityStatus;
    for (const slot of SLOTS) {
      if (tag === ATTRIBUTE_TAGS[slot]) {
        const supported = [ED25519_ATTRIBUTES, X25519_ATTRIBUTES, RSA2048_ATTRIBUTES];
        if (!supported.some((attributes) => sameBytes(attributes, data))) return SW.wrongData;
        this.slots[slot] = {
          ...this.slots[slot],
          attributes: data.slice(),
          privateKey: null,
          publicKey: null,
        };
        return SW.ok;
      }
      if (tag === FINGERPRINT_TAGS[slot]) {
        if (data.length !== 20) return SW.wrongLength;
        this.slots[slot].fingerprint = data.slice();
        return SW.ok;
      }
      if (tag === TIME_TAGS[slot]) {
        if (data.length !== 4) return SW.wrongLength;
        this.slots[slot].time = data.slice();
        return SW.ok;
      }
    }
    if (tag === 0xc4) {
      this.userPinValidForMultipleSignatures = data[0] === 1;
      return SW.ok;
    }
    if (tag === 0x5b) {
      this.cardholderName = data.slice();
      return SW.ok;
    }
    return SW.notFound;
  }

  private isCurve(slot: Slot, attributes: Uint8Array): boolean {
    return sameBytes(this.slots[slot].attributes, attributes);
  }

  private publicKeyOf(slot: Slot, privateKey: Uint8Array): Uint8Array | null {
    if (this.isCurve(slot, ED25519_ATTRIBUTES)) return ed25519.getPublicKey(privateKey);
    if (this.isCurve(slot, X25519_ATTRIBUTES)) return x25519.getPublicKey(privateKey);
    return null;
  }

  private importKey(data: Uint8Array): number {
    if (!this.verified.admin) return SW.securityStatus;
    // Tag 4D is primitive by its encoding, so its content (CRT, 7F48, 5F48) is parsed here.
    const header = findTlv(parseTlv(data), 0x4d);
    const objects = header ? parseTlv(header.value) : [];
    const crt = objects[0];
    const slot = crt ? CRT_TO_SLOT.get(crt.tag) : undefined;
    const template = findTlv(objects, 0x7f48);
    const keyData = findTlv(objects, 0x5f48);
    if (!slot || !template || !keyData) return SW.wrongData;

    // The 7F48 template contains tag-length pairs only, and here the first must be 92 (private key).
    if (template.value[0] !== 0x92) return SW.wrongData;
    const privateLength = template.value[1]!;
    const secret = keyData.value.slice(0, privateLength);
    if (secret.length !== 32) return SW.wrongData;
    // OpenPGP stores Curve25519 ECDH secrets big-endian; X25519 uses the reversed native order.
    const privateKey = this.isCurve(slot, X25519_ATTRIBUTES) ? secret.slice().reverse() : secret;
    const publicKey = this.publicKeyOf(slot, privateKey);
    if (!publicKey) return SW.wrongData;
    this.slots[slot] = { ...this.slots[slot], privateKey, publicKey };
    return SW.ok;
  }

  private generateKeyPair(p1: number, data: Uint8Array): [Uint8Array, number] {
    const slot = CRT_TO_SLOT.get(data[0] ?? 0);
    if (!slot) return [new Uint8Array(0), SW.wrongData];
    if (p1 === 0x80) {
      if (!this.verified.admin) return [new Uint8Array(0), SW.securityStatus];
      const privateKey = ed25519.utils.randomSecretKey();
      const publicKey = this.publicKeyOf(slot, privateKey);
      if (!publicKey) return [new Uint8Array(0), SW.conditions];
      this.slots[slot] = { ...this.slots[slot], privateKey, publicKey };
    } else if (p1 !== 0x81) {
      return [new Uint8Array(0), SW.wrongP1P2];
    }
    const publicKey = this.slots[slot].publicKey;
    if (!publicKey) return [new Uint8Array(0), SW.notFound];
    return [encodeTlv(0x7f49, [encodeTlv(0x86, publicKey)]), SW.ok];
  }

  private computeSignature(digest: Uint8Array): [Uint8Array, number] {
    const slot = this.slots.signature;
    if (!this.verified.signing) return [new Uint8Array(0), SW.securityStatus];
    if (!slot.privateKey || !this.isCurve('signature', ED25519_ATTRIBUTES)) {
      return [new Uint8Array(0), SW.notFound];
    }
    if (!this.userPinValidForMultipleSignatures) this.verified.signing = false;
    this.signatureCount += 1;
    return [ed25519.sign(digest, slot.privateKey), SW.ok];
  }

  private decipher(data: Uint8Array): [Uint8Array, number] {
    const slot = this.slots.decryption;
    if (!this.verified.user) return [new Uint8Array(0), SW.securityStatus];
    if (!slot.privateKey || !this.isCurve('decryption', X25519_ATTRIBUTES)) {
      return [new Uint8Array(0), SW.notFound];
    }
    const point = findTlv(parseTlv(data), 0x86)?.value;
    if (!point || point.length !== 32) return [new Uint8Array(0), SW.wrongData];
    return [x25519.getSharedSecret(slot.privateKey, point), SW.ok];
  }
}
