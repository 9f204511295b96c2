// The interop grid: for each peer, both directions (Sealpost produces and the peer consumes,
// and the reverse) of encrypt/decrypt, sign/verify and encrypt+sign/decrypt+verify, with keys
// that Sealpost made (pq and compat profiles) and keys that the peer made, armored and binary.
// Each cell is "ok", "unsupported" by the peer, "unavailable", or "failed" with the side at fault.
import { execFileSync } from 'node:child_process';
import { UnparseablePacket, readMessage } from 'openpgp';
import { sealpostPeer, type CleanablePeer } from './peers/all-peers.ts';
import { PeerStepError, PeerUnavailable, type KeyPair, type Peer } from './peers/peer.ts';

export type Operation = 'encrypt' | 'sign' | 'encrypt+sign';
export type Direction = 'sealpost-to-peer' | 'peer-to-sealpost';
export type KeySource = 'sealpost-compat' | 'sealpost-pq' | 'peer';

export const operations: readonly Operation[] = ['encrypt', 'sign', 'encrypt+sign'];
export const directions: readonly Direction[] = ['sealpost-to-peer', 'peer-to-sealpost'];
export const keySources: readonly KeySource[] = ['sealpost-compat', 'sealpost-pq', 'peer'];

export type Outcome =
  | { status: 'ok' }
  | { status: 'unsupported'; reason: string }
  | { status: 'unavailable'; reason: string }
  | { status: 'failed'; side: 'sealpost' | 'peer'; reason: string };

export interface Cell {
  peer: string;
  direction: Direction;
  operation: Operation;
  keys: KeySource;
  armor: boolean;
  outcome: Outcome;
}

export interface PeerReport {
  name: string;
  debianPackage: string | null;
  /** The Debian package version, or null when the package is not installed. */
  packageVersion: string | null;
  /** The program's own version line, or null when it is not available. */
  version: string | null;
}

export interface GridResult {
  sealpostVersion: string;
  peers: PeerReport[];
  cells: Cell[];
}

const plaintext = new TextEncoder().encode(
  'Interop grid message\r\nwith two lines and UTF-8: \u00e9\u00df\u2713\n',
);

/** Runs the whole grid; peers run side by side, each peer's cells one after another. */
export async function runGrid(peers: readonly CleanablePeer[]): Promise<GridResult> {
  const sealpost = { pq: sealpostPeer('pq'), compat: sealpostPeer('compat') };
  try {
    const sealpostKeys = {
      'sealpost-pq': await sealpost.pq.generateKey('Sealpost PQ <sealpost-pq@example.org>'),
      'sealpost-compat': await sealpost.compat.generateKey('Sealpost <sealpost@example.org>'),
    };
    const results = await Promise.all(
      peers.map((peer) => runPeer(peer, sealpost.compat, sealpostKeys)),
    );
    return {
      sealpostVersion: await sealpost.pq.version(),
      peers: results.map((result) => result.report),
      cells: results.flatMap((result) => result.cells),
    };
  } finally {
    sealpost.pq.cleanup();
    sealpost.compat.cleanup();
  }
}

async function runPeer(
  peer: CleanablePeer,
  sealpost: Peer,
  sealpostKeys: Record<'sealpost-pq' | 'sealpost-compat', KeyPair>,
): Promise<{ report: PeerReport; cells: Cell[] }> {
  const report: PeerReport = {
    name: peer.name,
    debianPackage: peer.debianPackage,
    packageVersion: peer.debianPackage ? debianVersion(peer.debianPackage) : null,
    version: null,
  };
  const cells: Cell[] = [];
  try {
    let unavailable: string | null = null;
    try {
      report.version = await peer.version();
    } catch (error) {
      unavailable = error instanceof PeerUnavailable ? error.message : String(error);
    }

    let peerKeys: KeyPair | null = null;
    let peerKeyError: Outcome | null = null;
    let ownRoundTrip: string | null = null;
    if (unavailable === null) {
      try {
        peerKeys = await peer.generateKey('Interop Peer <peer@example.org>');
        ownRoundTrip = await checkOwnRoundTrip(peer, peerKeys);
      } catch (error) {
        peerKeyError = peerOutcome(error, 'generate-key');
      }
    }

    for (const keys of keySources) {
      for (const direction of directions) {
        for (const operation of operations) {
          for (const armor of [true, false]) {
            const cell = { peer: peer.name, direction, operation, keys, armor };
            let outcome: Outcome;
            if (unavailable !== null) {
              outcome = { status: 'unavailable', reason: unavailable };
            } else if (keys === 'peer' && !peerKeys) {
              outcome = peerKeyError as Outcome;
            } else {
              const keyPair = keys === 'peer' ? (peerKeys as KeyPair) : sealpostKeys[keys];
              outcome = await runCell(peer, sealpost, { ...cell, keyPair, ownRoundTrip });
              outcome = explain(outcome, cells, cell);
            }
            cells.push({ ...cell, outcome });
          }
        }
      }
    }
  } finally {
    peer.cleanup();
  }
  return { report, cells };
}

interface CellRequest {
  direction: Direction;
  operation: Operation;
  keys: KeySource;
  armor: boolean;
  keyPair: KeyPair;
  /** How the peer's own encrypt → decrypt changes the plaintext, or null when it does not. */
  ownRoundTrip: string | null;
}

/** Runs one cell: the producer makes the message or signature, the consumer checks it. */
async function runCell(peer: Peer, sealpost: Peer, request: CellRequest): Promise<Outcome> {
  const toPeer = request.direction === 'sealpost-to-peer';
  const producer = toPeer ? sealpost : peer;
  const consumer = toPeer ? peer : sealpost;
  const side = (role: 'producer' | 'consumer'): 'sealpost' | 'peer' =>
    (role === 'producer') === toPeer ? 'sealpost' : 'peer';
  const { keyPair, armor } = request;

  let produced: Uint8Array;
  try {
    if (request.operation === 'sign') {
      produced = await producer.sign({ data: plaintext, signer: keyPair, armor });
    } else {
      const signer = request.operation === 'encrypt+sign' ? keyPair : undefined;
      produced = await producer.encrypt({ data: plaintext, recipient: keyPair, signer, armor });
    }
  } catch (error) {
    return stepOutcome(error, side('producer'), request.operation);
  }
  const armored = new TextDecoder().decode(produced.subarray(0, 40)).includes('-----BEGIN PGP');
  if (armored !== armor) {
    return {
      status: 'failed',
      side: side('producer'),
      reason: `output is ${armored ? 'armored' : 'binary'}, expected ${armor ? 'armored' : 'binary'}`,
    };
  }

  try {
    if (request.operation === 'sign') {
      const verified = await consumer.verify({
        data: plaintext,
        signature: produced,
        signer: keyPair,
      });
      return verified
        ? { status: 'ok' }
        : { status: 'failed', side: side('consumer'), reason: 'the signature did not verify' };
    }
    const signer = request.operation === 'encrypt+sign' ? keyPair : undefined;
    const result = await consumer.decrypt({ message: produced, recipient: keyPair, signer });
    const difference = describeDifference(result.data);
    if (difference !== null) {
      if (!toPeer || request.ownRoundTrip !== difference) {
        return {
          status: 'failed',
          side: side('consumer'),
          reason: `the plaintext differs: ${difference}`,
        };
      }
      return {
        status: 'unsupported',
        reason: `returns changed plaintext (${difference}), for its own messages too`,
      };
    }
    if (signer && !result.verified) {
      return { status: 'failed', side: side('consumer'), reason: 'the signature did not verify' };
    }
    return { status: 'ok' };
  } catch (error) {
    const outcome = stepOutcome(error, side('consumer'), request.operation);
    if (
      outcome.status === 'failed' &&
      outcome.side === 'peer' &&
      (await onlyPostQuantumPkesks(produced))
    ) {
      return {
        status: 'unsupported',
        reason:
          'no ML-KEM-768+X25519 (RFC 9980): Sealpost encrypts only to the PQ subkey when every recipient has one',
      };
    }
    return outcome;
  }
}

/** Encrypts and decrypts with the peer alone; returns how the plaintext changed, or null. */
async function checkOwnRoundTrip(peer: Peer, keys: KeyPair): Promise<string | null> {
  const message = await peer.encrypt({ data: plaintext, recipient: keys, armor: true });
  const { data } = await peer.decrypt({ message, recipient: keys });
  return describeDifference(data);
}

/** Describes how decrypted data differs from the plaintext, or returns null when it is equal. */
function describeDifference(data: Uint8Array): string | null {
  if (Buffer.compare(Buffer.from(data), Buffer.from(plaintext)) === 0) return null;
  const normalized = Buffer.from(plaintext).toString('utf8').replaceAll('\r\n', '\n');
  if (Buffer.from(data).toString('utf8') === normalized) return 'CR LF line endings became LF';
  return `${data.length} octets instead of the ${plaintext.length} octets sent`;
}

/**
 * Reclassifies a peer failure with Sealpost's pq-profile keys as "unsupported" when the same
 * cell works with the compat profile: the peer then rejects the algorithm-35 subkey.
 */
function explain(outcome: Outcome, earlier: readonly Cell[], cell: Omit<Cell, 'outcome'>): Outcome {
  if (outcome.status !== 'failed' || outcome.side !== 'peer' || cell.keys !== 'sealpost-pq') {
    return outcome;
  }
  const compat = earlier.find(
    (other) =>
      other.keys === 'sealpost-compat' &&
      other.direction === cell.direction &&
      other.operation === cell.operation &&
      other.armor === cell.armor,
  );
  if (compat?.outcome.status !== 'ok') return outcome;
  return {
    status: 'unsupported',
    reason: `rejects a certificate with an ML-KEM-768+X25519 subkey (${outcome.reason}); the compat profile works`,
  };
}

function stepOutcome(error: unknown, side: 'sealpost' | 'peer', step: string): Outcome {
  if (side === 'peer') return peerOutcome(error, step);
  return { status: 'failed', side, reason: `${step}: ${describe(error)}` };
}

function peerOutcome(error: unknown, step: string): Outcome {
  if (error instanceof PeerStepError && error.unsupported) {
    return { status: 'unsupported', reason: error.message };
  }
  if (error instanceof PeerUnavailable) return { status: 'unavailable', reason: error.message };
  return { status: 'failed', side: 'peer', reason: `${step}: ${describe(error)}` };
}

/** Checks that every PKESK of the message is one that openpgp.js cannot parse (algorithm 35). */
async function onlyPostQuantumPkesks(message: Uint8Array): Promise<boolean> {
  try {
    const text = new TextDecoder().decode(message.subarray(0, 40));
    const parsed = text.includes('-----BEGIN PGP')
      ? await readMessage({ armoredMessage: new TextDecoder().decode(message) })
      : await readMessage({ binaryMessage: message });
    const pkesks = parsed.packets.filter(
      (packet) =>
        packet instanceof UnparseablePacket ||
        packet.constructor.name.includes('PublicKeyEncryptedSessionKey'),
    );
    return (
      pkesks.length > 0 &&
      pkesks.every((packet) => packet instanceof UnparseablePacket && packet.tag === 1)
    );
  } catch {
    return false;
  }
}

function debianVersion(name: string): string | null {
  try {
    return (
      execFileSync('dpkg-query', ['-W', '-f', '${Version}', name], { encoding: 'utf8' }) || null
    );
  } catch {
    return null;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0]! : String(error);
}
