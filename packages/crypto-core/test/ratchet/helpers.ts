// A party of ratchet-mode tests: an identity DH key, prekeys and the sessions kept per peer,
// driven through the same byte-level operations the worker runs (peer-sessions.ts). It keeps
// state the way core does with storage: a result replaces the stored state only on success.
import {
  decryptForPeer,
  encryptWithSession,
  startSession,
} from '../../src/ratchet/peer-sessions.ts';
import {
  decodeIdentityDhKey,
  decodePrekeySecret,
  encodeIdentityDhKey,
  encodePrekeySecret,
  generateIdentityDhKey,
  generatePrekey,
} from '../../src/ratchet/prekeys.ts';
import type { RatchetLimits } from '../../src/ratchet/skipped-keys.ts';

export const encoder = new TextEncoder();
export const decoder = new TextDecoder();
export const START = Date.UTC(2026, 0, 1);

export class Party {
  readonly identityKey: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly prekeys = new Map<number, Uint8Array>();
  /** Sessions per peer name, and the active one. */
  readonly peers = new Map<string, { sessions: Map<string, Uint8Array>; active: string | null }>();
  bundleBytes: Uint8Array;

  constructor(
    readonly name: string,
    readonly limits?: RatchetLimits,
  ) {
    const key = generateIdentityDhKey();
    this.identityKey = encodeIdentityDhKey(key);
    this.publicKey = decodeIdentityDhKey(this.identityKey).publicKey;
    this.bundleBytes = this.rotatePrekey(START);
  }

  rotatePrekey(now: number): Uint8Array {
    const { secret, bundleBytes } = generatePrekey({
      identityPublicKey: this.publicKey,
      fingerprint: 'ab'.repeat(20),
      now,
    });
    this.prekeys.set(secret.prekeyId, encodePrekeySecret(secret));
    this.bundleBytes = bundleBytes;
    return bundleBytes;
  }

  peer(name: string) {
    let entry = this.peers.get(name);
    if (!entry) {
      entry = { sessions: new Map(), active: null };
      this.peers.set(name, entry);
    }
    return entry;
  }

  /** Starts a session with `other` from its current bundle and makes it active. */
  start(other: Party, now = START): string {
    const session = startSession({
      identityKey: this.identityKey,
      bundleBytes: other.bundleBytes,
      now,
    });
    const entry = this.peer(other.name);
    entry.sessions.set(session.sessionId, session.state);
    entry.active = session.sessionId;
    return session.sessionId;
  }

  send(to: string, text: string): Uint8Array {
    const entry = this.peer(to);
    if (entry.active === null) throw new Error(`${this.name} has no session with ${to}`);
    const result = encryptWithSession({
      state: entry.sessions.get(entry.active) as Uint8Array,
      plaintext: encoder.encode(text),
    });
    entry.sessions.set(entry.active, result.state);
    return result.message;
  }

  receive(from: string, message: Uint8Array, now = START): string {
    const entry = this.peer(from);
    const prekeyId = firstMessagePrekeyId(message);
    const result = decryptForPeer({
      sessions: [...entry.sessions].map(([sessionId, state]) => ({ sessionId, state })),
      activeSessionId: entry.active,
      message,
      identityKey: this.identityKey,
      prekeySecret: prekeyId === null ? null : (this.prekeys.get(prekeyId) ?? null),
      now,
      ...(this.limits ? { limits: this.limits } : {}),
    });
    entry.sessions.set(result.sessionId, result.state);
    entry.active = result.activeSessionId;
    for (const dropped of result.dropSessionIds) entry.sessions.delete(dropped);
    return decoder.decode(result.plaintext);
  }

  state(peer: string, sessionId?: string): Uint8Array {
    const entry = this.peer(peer);
    return entry.sessions.get(sessionId ?? (entry.active as string)) as Uint8Array;
  }
}

function firstMessagePrekeyId(message: Uint8Array): number | null {
  if (message[1] !== 0x02) return null;
  return new DataView(message.buffer, message.byteOffset + 2 + 64, 4).getUint32(0);
}

export { decodePrekeySecret };

/** Runs `action` and returns the `code` of the error it throws, or 'OK'. */
export function codeOf(action: () => unknown): string {
  try {
    action();
    return 'OK';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}
