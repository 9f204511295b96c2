// Reading a ratchet message. The first read decrypts it with the sender's session, checks who
// sent it, and stores the decrypted entity sealed in the database in the same transaction that
// advances the session and so erases the message key. Later reads open that sealed copy and
// need no message key. Sessions are kept per (our address, outer From). A first message must
// name the identity DH key of a bundle signed by the sender's pinned certificate. The payload
// also carries an OpenPGP signature, which is verified and reported as in OpenPGP mode.

import type { Store } from '@sealpost/storage';
import { verifyDetached, type RatchetClient, type SignatureResult } from '@sealpost/crypto-core';
import { parseEntity, type ParsedEntity, type ParsedMessage } from '@sealpost/mail-transport';
import type { Logger } from 'pino';
import type { ContactService } from '../contacts.ts';
import type { KeyService } from '../keys.ts';
import type { Vault } from '../vault.ts';
import { identityPublicKey } from './local-keys.ts';
import { learnBundles } from './peer-bundles.ts';
import { RatchetMailError, explainReceiveFailure } from './ratchet-mail-error.ts';
import { RATCHET_CONTENT_TYPE, decodeContainer, recipientLabel } from './wire-format.ts';

const SEAL_PURPOSE = 'ratchet entity';

export interface RatchetOpened {
  /** The content entity, after the multipart/signed wrapper was verified and removed. */
  entity: ParsedEntity;
  signatures: SignatureResult[];
  coverage: 'full' | 'none';
  sessionId: string;
}

/** Returns the ratchet part of a received message, or null when it is not a ratchet message. */
export function findRatchetPart(parsed: ParsedMessage): Uint8Array | null {
  if (parsed.kind !== 'plain' || !parsed.body) return null;
  const parts = parsed.body.attachments.filter(
    (attachment) => attachment.contentType.toLowerCase() === RATCHET_CONTENT_TYPE,
  );
  return parts.length === 1 ? parts[0]!.content : null;
}

export class RatchetReceiver {
  constructor(
    private readonly store: Store,
    private readonly client: () => RatchetClient,
    private readonly keys: KeyService,
    private readonly contacts: ContactService,
    private readonly vault: () => Vault,
    private readonly log: Logger,
  ) {}

  /** Opens stored message `id`, or returns null when it is not a ratchet message. */
  async open(
    id: number,
    parsed: ParsedMessage,
    from: string | null,
  ): Promise<RatchetOpened | null> {
    const part = findRatchetPart(parsed);
    if (part === null) return null;

    const stored = this.store.ratchetEntities.get(id);
    if (stored) {
      const payload = this.#withVault((vault) => vault.unseal(stored.sealedEntity, SEAL_PURPOSE));
      try {
        return { ...(await this.#verify(payload, from)), sessionId: stored.sessionId };
      } finally {
        payload.fill(0);
      }
    }
    if (from === null) {
      throw new RatchetMailError(
        'RATCHET_MESSAGE_MALFORMED',
        `Ratchet message ${id} has no From address, so no session can be chosen. It is kept as received.`,
      );
    }
    return this.#decryptFirstTime(id, part, from);
  }

  async #decryptFirstTime(id: number, part: Uint8Array, from: string): Promise<RatchetOpened> {
    const container = decodeContainer(part);
    const local = this.keys
      .list()
      .map((identity) => identity.address)
      .find((address) => {
        const label = recipientLabel(address);
        return container.entries.some((entry) => Buffer.from(entry.label).equals(label));
      });
    const entry = local
      ? container.entries.find((candidate) =>
          Buffer.from(candidate.label).equals(recipientLabel(local)),
        )
      : undefined;
    if (!local || !entry) {
      throw new RatchetMailError(
        'RATCHET_NOT_ADDRESSED_TO_US',
        `Ratchet message ${id} carries no key for any address of this Sealpost. It is kept as received.`,
      );
    }
    const identityKey = this.store.ratchetKeys.getIdentityKey(local);
    if (!identityKey) {
      throw new RatchetMailError(
        'RATCHET_SESSION_MISSING',
        `Ratchet message ${id} is for ${local}, which has no ratchet keys here; ask ${from} to ` +
          'send it again in OpenPGP mode ("sealpost send --openpgp"), and write to them so ' +
          'later messages can use ratchet mode again.',
      );
    }

    const sessions = this.store.ratchetSessions.listForPeer(local, from);
    let opened;
    try {
      const first = await this.client().readFirstMessageInfo({
        message: entry.wrappedKey,
        identityPublicKey: identityPublicKey(identityKey),
      });
      const newSession = first !== null && !sessions.some((s) => s.id === first.sessionId);
      opened = await this.client().openSealed({
        sessions: sessions.map((session) => ({ sessionId: session.id, state: session.state })),
        activeSessionId: sessions.find((session) => session.active)?.id ?? null,
        identityKey,
        prekeySecret: newSession
          ? (this.store.ratchetKeys.getPrekey(local, first.prekeyId)?.secret ?? null)
          : null,
        now: Date.now(),
        wrappedKey: entry.wrappedKey,
        encryptedBody: container.encryptedBody,
      });
    } catch (error) {
      throw explainReceiveFailure(error, id);
    }

    const payload = opened.payload;
    try {
      const verified = await this.#verify(payload, from);
      const bundles = await learnBundles(this.store, this.log, {
        from,
        attachments: verified.entity.attachments,
        signatures: verified.signatures,
      });
      if (opened.created) this.#checkInitiator(id, from, opened.initiatorIdentityKey, bundles);

      const sealed = this.#withVault((vault) => vault.seal(payload, SEAL_PURPOSE));
      const before = sessions.find((session) => session.id === opened.sessionId);
      this.store.ratchetSessions.advance(
        opened.sessionId,
        opened.state,
        () => this.store.ratchetEntities.insert(id, opened.sessionId, sealed),
        {
          ...(opened.created
            ? { create: { localAddress: local, peerAddress: from } }
            : before
              ? { expectedGeneration: before.generation }
              : {}),
          activate: opened.activeSessionId === opened.sessionId,
          dropSessionIds: opened.dropSessionIds,
        },
      );
      this.log.info(
        { messageId: id, newSession: opened.created },
        'decrypted a ratchet message and erased its message key',
      );
      return { ...verified, sessionId: opened.sessionId };
    } finally {
      payload.fill(0);
    }
  }

  /**
   * Checks who started a session, which the ratchet layer cannot know. A first message is
   * trusted only when its initiator identity DH key is the one in a bundle verified with the
   * sender's pinned certificate. That bundle was stored earlier or came in this message.
   */
  #checkInitiator(
    id: number,
    from: string,
    initiatorIdentityKey: Uint8Array | null,
    carried: ReadonlyArray<{ identityKey: Uint8Array }>,
  ): void {
    const pinned = this.store.contacts.getPinned(from);
    const stored = this.store.ratchetPeerBundles.get(from);
    const candidates = [
      ...carried.map((bundle) => bundle.identityKey),
      ...(stored && pinned && stored.fingerprint === pinned.fingerprint
        ? [stored.identityKey]
        : []),
    ];
    const matches =
      initiatorIdentityKey !== null &&
      candidates.some((key) => Buffer.from(key).equals(initiatorIdentityKey));
    if (!matches) {
      throw new RatchetMailError(
        'RATCHET_SENDER_UNVERIFIED',
        `Ratchet message ${id} starts a session with an identity key that is not in any prekey ` +
          `bundle verified with the pinned key of ${from}, so it may be forged and was rejected. ` +
          'No session was created; the message is kept as received.',
      );
    }
  }

  /** Runs `work` with a vault whose key is wiped afterwards. */
  #withVault<T>(work: (vault: Vault) => T): T {
    const vault = this.vault();
    try {
      return work(vault);
    } finally {
      vault.lock();
    }
  }

  /** Parses the payload and verifies its multipart/signed wrapper against pinned certificates. */
  async #verify(
    payload: Uint8Array,
    from: string | null,
  ): Promise<Omit<RatchetOpened, 'sessionId'>> {
    const entity = parseEntity(payload);
    if (!entity.signed) return { entity, signatures: [], coverage: 'none' };
    const verificationCertificates = [
      ...this.contacts.allPinnedCertificates(),
      ...this.keys.list().map((identity) => this.keys.exportCertificate(identity.address)),
    ];
    const signatures = await verifyDetached({
      data: entity.signed.signedBytes,
      signature: entity.signed.armoredSignature,
      verificationCertificates,
      ...(from ? { expectedSignerAddress: from } : {}),
    });
    return { entity: parseEntity(entity.signed.signedBytes), signatures, coverage: 'full' };
  }
}
