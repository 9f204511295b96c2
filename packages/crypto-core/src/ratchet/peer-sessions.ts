// Session operations on serialized state, as the worker runs them: start a session, encrypt,
// and decrypt a message against the set of sessions kept for one peer, including the
// deterministic settlement of crossing first messages (docs/RATCHET.md section 4.7).
// Each call works on fresh copies decoded from bytes and returns new bytes only on success.
import { compareBytes, toHex } from './bytes.ts';
import { decodeBundle } from './bundle.ts';
import { RatchetError } from './errors.ts';
import { decodeMessage } from './message.ts';
import { computeSessionId } from './pqxdh.ts';
import { decodeIdentityDhKey, decodePrekeySecret } from './prekeys.ts';
import {
  createInitiatorState,
  createResponderState,
  ratchetDecrypt,
  ratchetEncrypt,
} from './session.ts';
import { DEFAULT_LIMITS, type RatchetLimits } from './skipped-keys.ts';
import { deserializeState, serializeState, wipeState, type SessionState } from './state.ts';

/** At most this many sessions are kept per peer; the oldest non-active ones go first. */
export const MAX_SESSIONS_PER_PEER = 4;

export interface StoredSession {
  sessionId: string;
  state: Uint8Array;
}

export interface DecryptForPeerInput {
  /** Every session kept for the sending peer, in any order. */
  sessions: StoredSession[];
  activeSessionId: string | null;
  message: Uint8Array;
  /** The local identity DH key, as encodeIdentityDhKey wrote it. */
  identityKey: Uint8Array;
  /** The prekey secret named by the message's preamble, when it starts a new session. */
  prekeySecret?: Uint8Array | null;
  now: number;
  limits?: RatchetLimits;
}

export interface DecryptForPeerResult {
  plaintext: Uint8Array;
  sessionId: string;
  /** The session's new state; persist it with the message in one transaction. */
  state: Uint8Array;
  /** True when this message started a new session (insert instead of update). */
  created: boolean;
  /** The session to send with from now on. */
  activeSessionId: string;
  /** Sessions to delete because the per-peer limit was reached. */
  dropSessionIds: string[];
  /** The initiator's identity DH key of a new session, for core to match against the sender's bundle. */
  initiatorIdentityKey: Uint8Array | null;
}

/** Starts a session as initiator with a bundle whose signature the caller already verified. */
export function startSession(input: {
  identityKey: Uint8Array;
  bundleBytes: Uint8Array;
  now: number;
}): StoredSession {
  const identity = decodeIdentityDhKey(input.identityKey);
  const state = createInitiatorState(identity, decodeBundle(input.bundleBytes), input.now);
  try {
    return { sessionId: toHex(state.sessionId), state: serializeState(state) };
  } finally {
    wipeState(state);
    identity.secretKey.fill(0);
  }
}

export function encryptWithSession(input: { state: Uint8Array; plaintext: Uint8Array }): {
  state: Uint8Array;
  message: Uint8Array;
} {
  const state = deserializeState(input.state);
  try {
    const message = ratchetEncrypt(state, input.plaintext);
    return { state: serializeState(state), message };
  } finally {
    wipeState(state);
  }
}

/** Returns the prekey id and session id a first message needs, or null for a normal message. */
export function readFirstMessageInfo(
  message: Uint8Array,
  localIdentityPublicKey: Uint8Array,
): { prekeyId: number; sessionId: string; initiatorIdentityKey: Uint8Array } | null {
  const { preamble } = decodeMessage(message);
  if (preamble === null) return null;
  const sessionId = computeSessionId(
    preamble.initiatorIdentityKey,
    preamble.ephemeralKey,
    localIdentityPublicKey,
    preamble.prekeyId,
  );
  return {
    prekeyId: preamble.prekeyId,
    sessionId: toHex(sessionId),
    initiatorIdentityKey: preamble.initiatorIdentityKey,
  };
}

export function decryptForPeer(input: DecryptForPeerInput): DecryptForPeerResult {
  const limits = input.limits ?? DEFAULT_LIMITS;
  const message = decodeMessage(input.message);
  const identity = decodeIdentityDhKey(input.identityKey);
  try {
    if (message.preamble !== null) {
      const sessionId = toHex(
        computeSessionId(
          message.preamble.initiatorIdentityKey,
          message.preamble.ephemeralKey,
          identity.publicKey,
          message.preamble.prekeyId,
        ),
      );
      const known = input.sessions.find((session) => session.sessionId === sessionId);
      if (known) return decryptExisting(input, known, message, limits);

      if (!input.prekeySecret) {
        throw new RatchetError(
          'PREKEY_NOT_FOUND',
          `The first message uses prekey ${message.preamble.prekeyId}, whose secret is not kept ` +
            '(deleted after its grace period, or never ours). Ask the sender to write again.',
        );
      }
      const prekey = decodePrekeySecret(input.prekeySecret);
      if (prekey.prekeyId !== message.preamble.prekeyId) {
        throw new RatchetError(
          'INVALID_ARGUMENT',
          `prekeySecret is prekey ${prekey.prekeyId}, but the message uses ${message.preamble.prekeyId}.`,
        );
      }
      const state = createResponderState(identity, prekey, message.preamble, input.now);
      try {
        const plaintext = ratchetDecrypt(state, message, input.now, limits);
        const activeSessionId = settleActive(input, state, sessionId);
        return {
          plaintext,
          sessionId,
          state: serializeState(state),
          created: true,
          activeSessionId,
          dropSessionIds: sessionsToDrop(input.sessions, sessionId, activeSessionId),
          initiatorIdentityKey: message.preamble.initiatorIdentityKey,
        };
      } finally {
        wipeState(state);
        prekey.signedPrekey.secretKey.fill(0);
        prekey.kemPrekey.secretKey.fill(0);
      }
    }

    // A normal message: try the active session first, then the others.
    const ordered = [...input.sessions].sort(
      (a, b) =>
        Number(b.sessionId === input.activeSessionId) -
        Number(a.sessionId === input.activeSessionId),
    );
    let headerFailure: RatchetError | null = null;
    for (const session of ordered) {
      try {
        return decryptExisting(input, session, message, limits);
      } catch (error) {
        if (error instanceof RatchetError && error.code === 'HEADER_DECRYPT_FAILED') {
          headerFailure = error;
          continue;
        }
        throw error;
      }
    }
    throw (
      headerFailure ??
      new RatchetError(
        'HEADER_DECRYPT_FAILED',
        'There is no session with this peer that can read the message; ask the sender to start a new one.',
      )
    );
  } finally {
    identity.secretKey.fill(0);
  }
}

function decryptExisting(
  input: DecryptForPeerInput,
  session: StoredSession,
  message: ReturnType<typeof decodeMessage>,
  limits: RatchetLimits,
): DecryptForPeerResult {
  const state = deserializeState(session.state);
  try {
    const plaintext = ratchetDecrypt(state, message, input.now, limits);
    return {
      plaintext,
      sessionId: session.sessionId,
      state: serializeState(state),
      created: false,
      activeSessionId: input.activeSessionId ?? session.sessionId,
      dropSessionIds: [],
      initiatorIdentityKey: null,
    };
  } finally {
    wipeState(state);
  }
}

/**
 * Decides which session sends from now on after the peer started `created`. When first messages
 * crossed (our active session is ours and unanswered), the session initiated by the smaller
 * identity key wins. Otherwise the peer started over, so its new session wins.
 * NOTE: if our session was answered before the peer's crossing first message arrives, the two
 * sides send on different sessions; both stay readable because non-active sessions still decrypt.
 */
function settleActive(
  input: DecryptForPeerInput,
  created: SessionState,
  createdId: string,
): string {
  const active = input.sessions.find((session) => session.sessionId === input.activeSessionId);
  if (!active) return createdId;
  const activeState = deserializeState(active.state);
  try {
    const crossing = activeState.role === 'initiator' && !activeState.receivedAny;
    if (!crossing) return createdId;
    const weInitiatedFirst = compareBytes(created.localIdentityKey, created.remoteIdentityKey) < 0;
    return weInitiatedFirst ? active.sessionId : createdId;
  } finally {
    wipeState(activeState);
  }
}

function sessionsToDrop(sessions: StoredSession[], createdId: string, activeId: string): string[] {
  const kept = sessions.filter((session) => session.sessionId !== createdId);
  const excess = kept.length + 1 - MAX_SESSIONS_PER_PEER;
  if (excess <= 0) return [];
  const candidates = kept
    .filter((session) => session.sessionId !== activeId)
    .map((session) => ({ id: session.sessionId, createdAt: readCreatedAt(session.state) }))
    .sort((a, b) => a.createdAt - b.createdAt);
  return candidates.slice(0, excess).map((candidate) => candidate.id);
}

function readCreatedAt(bytes: Uint8Array): number {
  const state = deserializeState(bytes);
  try {
    return state.createdAt;
  } finally {
    wipeState(state);
  }
}
