// Session state of the header-encrypted Double Ratchet (Double Ratchet revision 4, section 4.2,
// plus the ML-KEM and bookkeeping fields of docs/RATCHET.md section 7) and its versioned binary
// encoding for storage. The encoding contains every secret of the session, so it stays local.
import { ByteReader, ByteWriter, wipe } from './bytes.ts';
import { RatchetError } from './errors.ts';
import type { Preamble } from './message.ts';
import {
  KEM_CIPHERTEXT_LENGTH,
  KEM_PUBLIC_KEY_LENGTH,
  KEM_SECRET_KEY_LENGTH,
  X25519_KEY_LENGTH,
  type DhKeyPair,
  type KemKeyPair,
} from './primitives.ts';

const MAGIC = Uint8Array.of(0x53, 0x50, 0x52, 0x53); // "SPRS"
const STATE_VERSION = 0x01;
const KEY = 32;
const MAX_LIST = 100_000;

export interface SkippedKey {
  headerKey: Uint8Array;
  n: number;
  messageKey: Uint8Array;
  storedAt: number;
}

/** A message already decrypted: first 16 bytes of SHA-256(header key), and its number. */
export interface UsedRecord {
  headerKeyId: Uint8Array;
  n: number;
  usedAt: number;
}

/** A receiving header key of a finished chain, kept only to classify late messages. */
export interface RetiredHeaderKey {
  headerKey: Uint8Array;
  retiredAt: number;
}

export interface SessionState {
  role: 'initiator' | 'responder';
  sessionId: Uint8Array;
  /** EncodeEC(IK_A) || EncodeEC(IK_B), bound into every header and body. */
  ad: Uint8Array;
  localIdentityKey: Uint8Array;
  remoteIdentityKey: Uint8Array;
  rootKey: Uint8Array;
  dhs: DhKeyPair;
  kems: KemKeyPair;
  /** The encapsulation that started the current sending chain. */
  kemCiphertext: Uint8Array | null;
  dhr: Uint8Array | null;
  cks: Uint8Array | null;
  ckr: Uint8Array | null;
  hks: Uint8Array | null;
  hkr: Uint8Array | null;
  nhks: Uint8Array | null;
  nhkr: Uint8Array | null;
  ns: number;
  nr: number;
  pn: number;
  /** Sent with every message until the peer's first message arrives (initiator only). */
  preamble: Preamble | null;
  /** True once a message from the peer decrypted in this session. */
  receivedAny: boolean;
  skipped: SkippedKey[];
  used: UsedRecord[];
  retired: RetiredHeaderKey[];
  createdAt: number;
}

export function serializeState(state: SessionState): Uint8Array {
  const writer = new ByteWriter()
    .bytes(MAGIC)
    .u8(STATE_VERSION)
    .u8(state.role === 'initiator' ? 1 : 2)
    .bytes(state.sessionId)
    .bytes(state.ad)
    .bytes(state.localIdentityKey)
    .bytes(state.remoteIdentityKey)
    .bytes(state.rootKey)
    .bytes(state.dhs.secretKey)
    .bytes(state.dhs.publicKey)
    .bytes(state.kems.secretKey)
    .bytes(state.kems.publicKey)
    .optional(state.kemCiphertext)
    .optional(state.dhr)
    .optional(state.cks)
    .optional(state.ckr)
    .optional(state.hks)
    .optional(state.hkr)
    .optional(state.nhks)
    .optional(state.nhkr)
    .u32(state.ns)
    .u32(state.nr)
    .u32(state.pn)
    .u8(state.receivedAny ? 1 : 0)
    .u64(state.createdAt);

  if (state.preamble) {
    writer
      .u8(1)
      .bytes(state.preamble.initiatorIdentityKey)
      .bytes(state.preamble.ephemeralKey)
      .u32(state.preamble.prekeyId)
      .bytes(state.preamble.kemCiphertext);
  } else {
    writer.u8(0);
  }

  writer.u32(state.skipped.length);
  for (const entry of state.skipped) {
    writer.bytes(entry.headerKey).u32(entry.n).bytes(entry.messageKey).u64(entry.storedAt);
  }
  writer.u32(state.used.length);
  for (const entry of state.used) writer.bytes(entry.headerKeyId).u32(entry.n).u64(entry.usedAt);
  writer.u32(state.retired.length);
  for (const entry of state.retired) writer.bytes(entry.headerKey).u64(entry.retiredAt);
  return writer.finish();
}

export function deserializeState(bytes: Uint8Array): SessionState {
  if (!(bytes instanceof Uint8Array)) {
    throw new RatchetError('INVALID_ARGUMENT', 'The session state must be a Uint8Array.');
  }
  const reader = new ByteReader(bytes, 'session state', 'STATE_MALFORMED');
  const magic = reader.bytes(4, 'magic');
  if (!MAGIC.every((byte, index) => magic[index] === byte)) {
    throw new RatchetError('STATE_MALFORMED', 'The data is not a Sealpost ratchet session state.');
  }
  const version = reader.u8('version');
  if (version !== STATE_VERSION) {
    throw new RatchetError(
      'UNSUPPORTED_VERSION',
      `The session state has version ${version}; this Sealpost reads version ${STATE_VERSION}.`,
    );
  }
  const roleByte = reader.u8('role');
  if (roleByte !== 1 && roleByte !== 2) {
    throw new RatchetError('STATE_MALFORMED', `The session state has unknown role ${roleByte}.`);
  }
  const state: SessionState = {
    role: roleByte === 1 ? 'initiator' : 'responder',
    sessionId: reader.bytes(16, 'sessionId'),
    ad: reader.bytes(2 * (X25519_KEY_LENGTH + 1), 'ad'),
    localIdentityKey: reader.bytes(X25519_KEY_LENGTH, 'localIdentityKey'),
    remoteIdentityKey: reader.bytes(X25519_KEY_LENGTH, 'remoteIdentityKey'),
    rootKey: reader.bytes(KEY, 'rootKey'),
    dhs: {
      secretKey: reader.bytes(X25519_KEY_LENGTH, 'dhs secret'),
      publicKey: reader.bytes(X25519_KEY_LENGTH, 'dhs public'),
    },
    kems: {
      secretKey: reader.bytes(KEM_SECRET_KEY_LENGTH, 'kems secret'),
      publicKey: reader.bytes(KEM_PUBLIC_KEY_LENGTH, 'kems public'),
    },
    kemCiphertext: reader.optional(KEM_CIPHERTEXT_LENGTH, 'kemCiphertext'),
    dhr: reader.optional(X25519_KEY_LENGTH, 'dhr'),
    cks: reader.optional(KEY, 'cks'),
    ckr: reader.optional(KEY, 'ckr'),
    hks: reader.optional(KEY, 'hks'),
    hkr: reader.optional(KEY, 'hkr'),
    nhks: reader.optional(KEY, 'nhks'),
    nhkr: reader.optional(KEY, 'nhkr'),
    ns: reader.u32('ns'),
    nr: reader.u32('nr'),
    pn: reader.u32('pn'),
    receivedAny: reader.u8('receivedAny') === 1,
    createdAt: reader.u64('createdAt'),
    preamble: null,
    skipped: [],
    used: [],
    retired: [],
  };
  if (reader.u8('preamble presence') === 1) {
    state.preamble = {
      initiatorIdentityKey: reader.bytes(X25519_KEY_LENGTH, 'preamble identity key'),
      ephemeralKey: reader.bytes(X25519_KEY_LENGTH, 'preamble ephemeral key'),
      prekeyId: reader.u32('preamble prekeyId'),
      kemCiphertext: reader.bytes(KEM_CIPHERTEXT_LENGTH, 'preamble kemCiphertext'),
    };
  }
  const count = (field: string) => {
    const value = reader.u32(field);
    if (value > MAX_LIST) {
      throw new RatchetError(
        'STATE_MALFORMED',
        `The session state lists ${value} ${field}, more than the ${MAX_LIST} allowed; it is damaged.`,
      );
    }
    return value;
  };
  for (let i = count('skipped keys'); i > 0; i--) {
    state.skipped.push({
      headerKey: reader.bytes(KEY, 'skipped headerKey'),
      n: reader.u32('skipped n'),
      messageKey: reader.bytes(KEY, 'skipped messageKey'),
      storedAt: reader.u64('skipped storedAt'),
    });
  }
  for (let i = count('used records'); i > 0; i--) {
    state.used.push({
      headerKeyId: reader.bytes(16, 'used headerKeyId'),
      n: reader.u32('used n'),
      usedAt: reader.u64('used usedAt'),
    });
  }
  for (let i = count('retired header keys'); i > 0; i--) {
    state.retired.push({
      headerKey: reader.bytes(KEY, 'retired headerKey'),
      retiredAt: reader.u64('retired retiredAt'),
    });
  }
  reader.expectEnd();
  return state;
}

/** Overwrites every secret the state contains. Call it when a state object is no longer needed. */
export function wipeState(state: SessionState): void {
  wipe(state.rootKey, state.dhs.secretKey, state.kems.secretKey);
  wipe(state.cks, state.ckr, state.hks, state.hkr, state.nhks, state.nhkr);
  for (const entry of state.skipped) wipe(entry.headerKey, entry.messageKey);
  for (const entry of state.retired) wipe(entry.headerKey);
}
