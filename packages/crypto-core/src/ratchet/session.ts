// The header-encrypted Double Ratchet with ML-KEM-768 mixing (Double Ratchet revision 4,
// sections 3.4 and 4; docs/RATCHET.md section 4): session initialisation for both roles,
// RatchetEncrypt and RatchetDecrypt. Functions change the state in place, so callers work on a
// fresh copy and keep it only when the call returned (session-bytes.ts does that).
import { concatBytes, wipe } from './bytes.ts';
import type { PrekeyBundle } from './bundle.ts';
import { RatchetError } from './errors.ts';
import { decryptHeader, encryptHeader, type RatchetHeader } from './header.ts';
import { kdfChain, kdfInit, kdfRoot, messageKeys } from './kdf.ts';
import { encodePrefix, encodeMessage, type Preamble, type RatchetMessage } from './message.ts';
import { pad, unpad } from './padding.ts';
import { pqxdhInitiate, pqxdhRespond, type PqxdhTestInputs } from './pqxdh.ts';
import type { PrekeySecret } from './prekeys.ts';
import {
  aeadOpen,
  aeadSeal,
  dh,
  generateDhKeyPair,
  generateKemKeyPair,
  kemDecapsulate,
  kemEncapsulate,
  type DhKeyPair,
} from './primitives.ts';
import {
  pruneExpired,
  recordUsed,
  retireHeaderKey,
  skippedHeaderKeys,
  storeSkippedKey,
  takeSkippedKey,
  wasUsed,
  type RatchetLimits,
} from './skipped-keys.ts';
import type { SessionState } from './state.ts';

const MAX_COUNTER = 0xffff_ffff;

/** Alice: PQXDH with Bob's verified bundle, then RatchetInitAliceHE with the first KEM mix. */
export function createInitiatorState(
  identity: DhKeyPair,
  bundle: PrekeyBundle,
  now: number,
  testInputs: PqxdhTestInputs = {},
): SessionState {
  const agreement = pqxdhInitiate(identity, bundle, testInputs);
  const init = kdfInit(agreement.sharedKey);
  wipe(agreement.sharedKey);

  const dhs = generateDhKeyPair();
  const kems = generateKemKeyPair();
  const { cipherText, sharedSecret } = kemEncapsulate(bundle.kemPrekey);
  const dhOutput = dh(dhs.secretKey, bundle.signedPrekey, 'PREKEY_BUNDLE_INVALID');
  const root = kdfRoot(init.rootKey, dhOutput, sharedSecret);
  wipe(init.rootKey, dhOutput, sharedSecret);

  return {
    role: 'initiator',
    sessionId: agreement.sessionId,
    ad: agreement.ad,
    localIdentityKey: identity.publicKey.slice(),
    remoteIdentityKey: bundle.identityKey.slice(),
    rootKey: root.rootKey,
    dhs,
    kems,
    kemCiphertext: cipherText,
    dhr: bundle.signedPrekey.slice(),
    cks: root.chainKey,
    ckr: null,
    hks: init.headerKeyA,
    hkr: null,
    nhks: root.nextHeaderKey,
    nhkr: init.nextHeaderKeyB,
    ns: 0,
    nr: 0,
    pn: 0,
    preamble: agreement.preamble,
    receivedAny: false,
    skipped: [],
    used: [],
    retired: [],
    createdAt: now,
  };
}

/** Bob: PQXDH from the preamble, then RatchetInitBobHE with the prekeys as first ratchet keys. */
export function createResponderState(
  identity: DhKeyPair,
  prekey: PrekeySecret,
  preamble: Preamble,
  now: number,
): SessionState {
  const agreement = pqxdhRespond(identity, prekey, preamble);
  const init = kdfInit(agreement.sharedKey);
  wipe(agreement.sharedKey);
  return {
    role: 'responder',
    sessionId: agreement.sessionId,
    ad: agreement.ad,
    localIdentityKey: identity.publicKey.slice(),
    remoteIdentityKey: preamble.initiatorIdentityKey.slice(),
    rootKey: init.rootKey,
    dhs: {
      secretKey: prekey.signedPrekey.secretKey.slice(),
      publicKey: prekey.signedPrekey.publicKey.slice(),
    },
    kems: {
      secretKey: prekey.kemPrekey.secretKey.slice(),
      publicKey: prekey.kemPrekey.publicKey.slice(),
    },
    kemCiphertext: null,
    dhr: null,
    cks: null,
    ckr: null,
    hks: null,
    hkr: null,
    nhks: init.nextHeaderKeyB,
    nhkr: init.headerKeyA,
    ns: 0,
    nr: 0,
    pn: 0,
    preamble: null,
    receivedAny: false,
    skipped: [],
    used: [],
    retired: [],
    createdAt: now,
  };
}

/** RatchetEncryptHE: returns the encoded ratchet message carrying `plaintext`. */
export function ratchetEncrypt(state: SessionState, plaintext: Uint8Array): Uint8Array {
  if (state.cks === null || state.hks === null || state.kemCiphertext === null) {
    throw new RatchetError(
      'INVALID_ARGUMENT',
      'This session cannot send yet: it has no sending chain. Decrypt the peer’s first message first.',
    );
  }
  if (state.ns >= MAX_COUNTER) {
    throw new RatchetError(
      'INVALID_ARGUMENT',
      'The sending chain is exhausted (2^32 - 1 messages); start a new session.',
    );
  }
  const step = kdfChain(state.cks);
  wipe(state.cks);
  state.cks = step.chainKey;

  const header: RatchetHeader = {
    dh: state.dhs.publicKey,
    kemPublicKey: state.kems.publicKey,
    kemCiphertext: state.kemCiphertext,
    pn: state.pn,
    n: state.ns,
  };
  const prefix = encodePrefix(state.preamble);
  const encryptedHeader = encryptHeader(state.hks, header, concatBytes(state.ad, prefix));
  const keys = messageKeys(step.messageKey);
  const padded = pad(plaintext);
  try {
    const body = aeadSeal(
      keys.key,
      keys.nonce,
      padded,
      concatBytes(state.ad, prefix, encryptedHeader),
    );
    state.ns += 1;
    const message: RatchetMessage = { preamble: state.preamble, encryptedHeader, body };
    return encodeMessage(message);
  } finally {
    wipe(step.messageKey, keys.key, keys.nonce, padded);
  }
}

/** RatchetDecryptHE with replay and expiry classification (docs/RATCHET.md section 4.5). */
export function ratchetDecrypt(
  state: SessionState,
  message: RatchetMessage,
  now: number,
  limits: RatchetLimits,
): Uint8Array {
  pruneExpired(state, now, limits);
  const prefix = encodePrefix(message.preamble);
  const headerAad = concatBytes(state.ad, prefix);
  const bodyAad = concatBytes(state.ad, prefix, message.encryptedHeader);

  // 1. A stored skipped key.
  for (const headerKey of skippedHeaderKeys(state)) {
    const header = decryptHeader(headerKey, message.encryptedHeader, headerAad);
    if (header === null) continue;
    // takeSkippedKey wipes the entry's copy of the header key, which may be `headerKey` itself.
    const hk = headerKey.slice();
    const messageKey = takeSkippedKey(state, hk, header.n);
    if (messageKey === null) {
      wipe(hk);
      break;
    }
    const plaintext = openBody(messageKey, message.body, bodyAad);
    recordUsed(state, hk, header.n, now, limits);
    wipe(hk);
    return accept(state, plaintext);
  }

  // 2. The current receiving chain.
  if (state.hkr !== null) {
    const header = decryptHeader(state.hkr, message.encryptedHeader, headerAad);
    if (header !== null) {
      if (header.n < state.nr) throw lateMessage(state, state.hkr, header.n);
      checkSkip(state.nr, header.n, limits);
      skipMessageKeys(state, header.n, now, limits);
      return accept(state, decryptInChain(state, message.body, bodyAad, now, limits));
    }
  }

  // 3. The next chain: a DH ratchet step.
  if (state.nhkr !== null) {
    const header = decryptHeader(state.nhkr, message.encryptedHeader, headerAad);
    if (header !== null) {
      if (state.ckr !== null) checkSkip(state.nr, header.pn, limits);
      checkSkip(0, header.n, limits);
      skipMessageKeys(state, header.pn, now, limits);
      dhRatchet(state, header, now, limits);
      skipMessageKeys(state, header.n, now, limits);
      return accept(state, decryptInChain(state, message.body, bodyAad, now, limits));
    }
  }

  // 4. A finished chain whose keys are gone.
  for (const entry of state.retired) {
    const header = decryptHeader(entry.headerKey, message.encryptedHeader, headerAad);
    if (header !== null) throw lateMessage(state, entry.headerKey, header.n);
  }

  throw new RatchetError(
    'HEADER_DECRYPT_FAILED',
    'No header key of this session opens the message header: it belongs to another session, ' +
      'is older than the kept keys, or was altered.',
  );
}

function accept(state: SessionState, padded: Uint8Array): Uint8Array {
  state.receivedAny = true;
  state.preamble = null;
  try {
    return unpad(padded);
  } finally {
    wipe(padded);
  }
}

function decryptInChain(
  state: SessionState,
  body: Uint8Array,
  aad: Uint8Array,
  now: number,
  limits: RatchetLimits,
): Uint8Array {
  const ckr = state.ckr as Uint8Array;
  const hkr = state.hkr as Uint8Array;
  const step = kdfChain(ckr);
  const plaintext = openBody(step.messageKey, body, aad);
  wipe(ckr);
  state.ckr = step.chainKey;
  recordUsed(state, hkr, state.nr, now, limits);
  state.nr += 1;
  return plaintext;
}

/** Decrypts the body and wipes the message key, whether or not the tag verified. */
function openBody(messageKey: Uint8Array, body: Uint8Array, aad: Uint8Array): Uint8Array {
  const keys = messageKeys(messageKey);
  try {
    const padded = aeadOpen(keys.key, keys.nonce, body, aad);
    if (padded === null) {
      throw new RatchetError(
        'DECRYPT_FAILED',
        'The message body failed authentication: it was altered in transit. The session is unchanged.',
      );
    }
    return padded;
  } finally {
    wipe(messageKey, keys.key, keys.nonce);
  }
}

function checkSkip(from: number, until: number, limits: RatchetLimits): void {
  if (until - from > limits.maxSkip) {
    throw new RatchetError(
      'TOO_MANY_SKIPPED_MESSAGES',
      `The message would skip ${until - from} message keys; at most ${limits.maxSkip} are allowed. ` +
        'It is rejected and the session is unchanged.',
    );
  }
}

function skipMessageKeys(
  state: SessionState,
  until: number,
  now: number,
  limits: RatchetLimits,
): void {
  if (state.ckr === null || state.hkr === null) return;
  while (state.nr < until) {
    const step = kdfChain(state.ckr);
    wipe(state.ckr);
    state.ckr = step.chainKey;
    storeSkippedKey(state, state.hkr, state.nr, step.messageKey, now, limits);
    state.nr += 1;
  }
}

function dhRatchet(
  state: SessionState,
  header: RatchetHeader,
  now: number,
  limits: RatchetLimits,
): void {
  if (state.hkr !== null) retireHeaderKey(state, state.hkr, now, limits);
  wipe(state.hkr, state.hks, state.ckr, state.cks);
  state.pn = state.ns;
  state.ns = 0;
  state.nr = 0;
  state.hks = state.nhks;
  state.hkr = state.nhkr;
  state.dhr = header.dh;

  const receiveDh = dh(state.dhs.secretKey, header.dh);
  const receiveKem = kemDecapsulate(header.kemCiphertext, state.kems.secretKey);
  const receiving = kdfRoot(state.rootKey, receiveDh, receiveKem);
  wipe(state.rootKey, receiveDh, receiveKem, state.dhs.secretKey, state.kems.secretKey);
  state.ckr = receiving.chainKey;
  state.nhkr = receiving.nextHeaderKey;

  state.dhs = generateDhKeyPair();
  state.kems = generateKemKeyPair();
  const encapsulation = kemEncapsulate(header.kemPublicKey);
  const sendDh = dh(state.dhs.secretKey, header.dh);
  const sending = kdfRoot(receiving.rootKey, sendDh, encapsulation.sharedSecret);
  wipe(receiving.rootKey, sendDh, encapsulation.sharedSecret);
  state.rootKey = sending.rootKey;
  state.cks = sending.chainKey;
  state.nhks = sending.nextHeaderKey;
  state.kemCiphertext = encapsulation.cipherText;
}

function lateMessage(state: SessionState, headerKey: Uint8Array, n: number): RatchetError {
  if (wasUsed(state, headerKey, n)) {
    return new RatchetError(
      'REPLAY_DETECTED',
      'This message was already decrypted once; the copy is a replay or a duplicate and is rejected.',
    );
  }
  return new RatchetError(
    'MESSAGE_KEY_EXPIRED',
    'The key of this message is no longer kept (older than the skipped-key limits of ' +
      'docs/RATCHET.md section 4.6), so it cannot be decrypted. Ask the sender to send it again.',
  );
}
