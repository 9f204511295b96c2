// Reading a stored message: decrypts and verifies it according to its kind, and returns the
// real (protected) headers, text and attachments with every status by name. Fails closed: no
// header, text or attachment of an encrypted message is returned unless decryption and the
// integrity check succeeded. This file stores only the statuses, and read listeners store the
// decrypted subject and search text in the encrypted database. A message is reported as signed
// only when one signature covers its whole content (RFC 3156 section 5), and protected headers
// (RFC 9788) are never filled in from the unprotected outer header.

import type { Logger } from 'pino';
import type { ReceivedMessageFile, Store } from '@sealpost/storage';
import { verifyCleartext, verifyDetached } from '@sealpost/crypto-core';
import type { SignatureResult } from '@sealpost/crypto-core';
import { parseEntity, parseGossipHeaders, parseMessage } from '@sealpost/mail-transport';
import type { ParsedEntity, SignedParts } from '@sealpost/mail-transport';
import type { ContactService } from './contacts.ts';
import { CoreError, errorCode } from './errors.ts';
import type { KeyService } from './keys.ts';
import type { CardService } from './hardware/card-service.ts';
import { openFileMessage } from './large-read.ts';
import { messageFilesOf } from './message-files.ts';
import { SyncError } from './sync/sync-error.ts';
import type { RatchetMail } from './ratchet/ratchet-mail.ts';
import { applyReceivedRevocations } from './received-revocations.ts';
import { changedCertificatesOf, reportUnpinnedSigners } from './unpinned-signers.ts';
import { decryptParsedPayload, decryptStreamedPayload } from './payload-decrypt.ts';
import { releaseAttachments } from './read-attachments.ts';
import { inMemoryEntity, readEntityOf, toReadResult } from './read-report.ts';
import type { OpenedMessage, ReadEntity } from './read-report.ts';

export type {
  AttachmentReport,
  ReadResult,
  SignatureCoverage,
  SignatureReport,
  SignatureSummary,
} from './read-result.ts';
import type { ReadResult, SignatureCoverage } from './read-result.ts';

type ParsedMessage = ReturnType<typeof parseMessage>;
type StreamedCiphertext = () => AsyncIterable<Uint8Array>;

/** Receives the result of every successful read, e.g. to index the decrypted text. */
export type ReadListener = (result: ReadResult) => void;

export class ReadService {
  readonly #listeners: ReadListener[] = [];

  constructor(
    private readonly store: Store,
    private readonly keys: KeyService,
    private readonly contacts: ContactService,
    private readonly log: Logger,
    private readonly ratchet: RatchetMail | null = null,
    private readonly cards: CardService | null = null,
  ) {}

  #ownAddresses(): string[] {
    return this.keys.list().map((identity) => identity.address);
  }

  /** True when an OpenPGP card is bound to one of the identities, so it may hold a key. */
  #usesCard(): boolean {
    const cards = this.cards;
    return (
      cards !== null && this.#ownAddresses().some((address) => cards.binding(address) !== null)
    );
  }

  /**
   * Registers `listener` for every successful read. The search index uses it, and it is the
   * only place the decrypted text may be stored, inside the store's encryption at rest.
   */
  onDecrypted(listener: ReadListener): void {
    this.#listeners.push(listener);
  }

  async read(id: number): Promise<ReadResult> {
    const row = this.store.messages.get(id);
    if (!row) {
      throw new CoreError(
        'MESSAGE_NOT_FOUND',
        `No message with id ${id}; list messages with "sealpost list".`,
      );
    }
    if (this.store.messageSync.hasBody(id) === false) {
      throw new SyncError(
        'MESSAGE_BODY_MISSING',
        `Message ${id} has only its headers so far; run "sealpost sync" to fetch its body.`,
      );
    }
    // A large message's body is in an encrypted message file, whose key the row holds.
    const file = this.store.messageFiles.get(id);
    try {
      return await this.#readStored(id, file);
    } finally {
      file?.key.fill(0);
    }
  }

  async #readStored(id: number, file: ReceivedMessageFile | null): Promise<ReadResult> {
    const opened = file
      ? await openFileMessage(messageFilesOf(this.store), file, this.store.messages.getRaw(id))
      : { parsed: parseMessage(this.store.messages.getRaw(id)), ciphertext: null };
    const { parsed, ciphertext } = opened;
    const from = parsed.headers.from?.address?.toLowerCase() ?? null;
    // Holds the temporary files of large attachments, deleted again if the read fails.
    let content: ReadEntity | null = null;

    try {
      // A ratchet message is opened by ratchet/ratchet-receive.ts; it returns null for others.
      const ratchetOpened = this.ratchet ? await this.ratchet.open(id, parsed, from) : null;
      const opened = ratchetOpened
        ? { ...ratchetOpened, entity: readEntityOf(ratchetOpened.entity), decryptedWith: null }
        : await this.#open(parsed, from, ciphertext);
      content = opened.entity;
      const result = this.#explainUnknownSigners(opened, from);
      const report = this.#presentRatchet(
        toReadResult(id, parsed, result, this.store),
        ratchetOpened !== null,
      );
      this.store.messages.setResult(id, {
        // 'ratchet-encrypted' for ratchet mail, so the list shows it encrypted after a read.
        kind: report.kind,
        encrypted: report.encryption.status === 'encrypted',
        decryptedWith: report.encryption.decryptedWith,
        signatures: report.signatures.map(({ status, signerFingerprint, signerMatchesFrom }) => ({
          status,
          signerFingerprint,
          signerMatchesFrom,
        })),
        error: null,
      });
      this.#notify(report);
      return report;
    } catch (error) {
      if (content !== null) releaseAttachments(content.attachments);
      this.store.messages.setResult(id, {
        kind: parsed.kind,
        encrypted: parsed.kind.endsWith('-encrypted'),
        error: errorCode(error),
      });
      this.log.warn(
        { err: error, messageId: id },
        'reading a message failed; the stored original is unchanged',
      );
      throw error;
    }
  }

  /** Hides prekey bundle parts and marks a ratchet message as encrypted in ratchet mode. */
  #presentRatchet(report: ReadResult, isRatchet: boolean): ReadResult {
    if (!this.ratchet) return report;
    const attachments = this.ratchet.withoutBundleParts(report.attachments);
    releaseAttachments(
      report.attachments.filter((attachment) => !attachments.includes(attachment)),
    );
    if (!isRatchet) return { ...report, attachments };
    return {
      ...report,
      attachments,
      kind: 'ratchet-encrypted',
      encryption: { status: 'encrypted', decryptedWith: null },
    };
  }

  #notify(report: ReadResult): void {
    for (const listener of this.#listeners) {
      try {
        listener(report);
      } catch (error) {
        this.log.error({ err: error, messageId: report.id }, 'a read listener failed');
      }
    }
  }

  /** Opens `parsed`. For a PGP/MIME message file, `ciphertext` streams its armored part. */
  async #open(
    parsed: ParsedMessage,
    from: string | null,
    ciphertext: StreamedCiphertext | null,
  ): Promise<OpenedMessage> {
    const verificationCertificates = [
      ...this.contacts.allPinnedCertificates(),
      ...this.keys.list().map((identity) => this.keys.exportCertificate(identity.address)),
    ];
    const expectedSignerAddress = from ?? undefined;
    const verifyOptions = { verificationCertificates, expectedSignerAddress };

    switch (parsed.kind) {
      case 'pgp-mime-encrypted':
      case 'inline-pgp-encrypted': {
        const decryptionKeys = await this.keys.unlockAll();
        // Certificates the sender presented but the user has not pinned are consulted too, so a
        // revocation that arrives with the sender's new key can be checked. reportUnpinnedSigners
        // then reports their signatures as unknown-key, as if they had not been consulted.
        const encryptedVerifyOptions = {
          verificationCertificates: [
            ...verificationCertificates,
            ...changedCertificatesOf(this.store, from),
          ],
          expectedSignerAddress,
        };
        let streamed: ReadEntity | null = null;
        try {
          const decryption = {
            store: this.store,
            cards: this.cards,
            ownAddresses: this.#ownAddresses(),
            usesCard: this.#usesCard(),
          };
          const decrypted =
            ciphertext === null
              ? await decryptParsedPayload(decryption, parsed, {
                  decryptionKeys,
                  ...encryptedVerifyOptions,
                })
              : await decryptStreamedPayload(decryption, ciphertext, {
                  decryptionKeys,
                  ...encryptedVerifyOptions,
                });
          streamed = decrypted.payload.entity;
          // A payload parsed from the spool never contains multipart/signed (large-decrypt.ts).
          const entity =
            decrypted.payload.data === null
              ? null
              : parsed.kind === 'pgp-mime-encrypted'
                ? parseEntity(decrypted.payload.data)
                : textEntity(decrypted.payload.data);
          // Signed and encrypted in one OpenPGP message: the signature covers the whole payload.
          let signed: { signatures: SignatureResult[]; coverage: SignatureCoverage } = {
            signatures: decrypted.signatures,
            coverage: decrypted.signatures.length > 0 ? 'full' : 'none',
          };

          // Signed-then-encrypted: a multipart/signed at the payload root covers all of it.
          // A multipart/signed deeper down covers only its own part.
          if (signed.coverage === 'none' && entity?.signed) {
            signed = {
              signatures: await verifyDetached({
                data: entity.signed.signedBytes,
                signature: entity.signed.armoredSignature,
                ...encryptedVerifyOptions,
              }),
              coverage: 'full',
            };
          } else if (signed.coverage === 'none') {
            signed = await verifyNested(entity?.nestedSigned ?? [], encryptedVerifyOptions);
          }

          // The content, for the steps below only with the attachments held in memory.
          const content = entity?.signed ? parseEntity(entity.signed.signedBytes) : entity;
          const protocolView = content ?? inMemoryEntity(streamed!);

          // A key revocation attached by the sender counts only under a signature over the
          // whole payload. The revocation itself is verified against the stored certificate.
          if (signed.coverage === 'full') {
            await applyReceivedRevocations(this.store, this.log, {
              from,
              attachments: protocolView.attachments,
              signatures: signed.signatures,
            });
          }
          signed = {
            ...signed,
            signatures: await reportUnpinnedSigners(this.store, from, signed.signatures, () =>
              this.#trustedFingerprints(),
            ),
          };

          // Gossip is learned only from a payload that one valid signature covers whole.
          if (signed.coverage === 'full') {
            await this.#learnGossip(entity ?? streamed!, signed.signatures);
          }
          // Prekey bundles likewise, and only when signed by the sender's pinned certificate.
          if (signed.coverage === 'full' && this.ratchet) {
            await this.ratchet.learnBundles(from, protocolView, signed.signatures);
          }
          return {
            entity: streamed ?? readEntityOf(content!),
            ...signed,
            decryptedWith: decrypted.decryptedWith.primaryFingerprint,
          };
        } catch (error) {
          if (streamed !== null) releaseAttachments(streamed.attachments);
          throw error;
        } finally {
          for (const key of decryptionKeys) key.clear();
        }
      }
      case 'pgp-mime-signed': {
        const signatures = await verifyDetached({
          data: parsed.signed!.signedBytes,
          signature: parsed.signed!.armoredSignature,
          verificationCertificates,
          expectedSignerAddress,
        });
        return {
          entity: readEntityOf(parseEntity(parsed.signed!.signedBytes)),
          signatures,
          coverage: 'full',
          decryptedWith: null,
        };
      }
      case 'inline-pgp-signed': {
        const { cleartext, charset } = parsed.inline!;
        if (cleartext) {
          // Verified over the bytes in the body's own charset, which is what the sender signed.
          const signatures = await verifyDetached({
            data: cleartext.signedBytes,
            signature: cleartext.armoredSignature,
            verificationCertificates,
            expectedSignerAddress,
          });
          return {
            entity: readEntityOf(textEntity(cleartext.signedBytes, charset)),
            signatures,
            coverage: 'full',
            decryptedWith: null,
          };
        }
        const verified = await verifyCleartext({
          message: parsed.inline!.armored,
          verificationCertificates,
          expectedSignerAddress,
        });
        return {
          entity: readEntityOf(textEntity(new TextEncoder().encode(verified.text))),
          signatures: verified.signatures,
          coverage: 'full',
          decryptedWith: null,
        };
      }
      case 'plain': {
        const nested = await verifyNested(parsed.body!.nestedSigned, verifyOptions);
        return { entity: readEntityOf(parsed.body!), ...nested, decryptedWith: null };
      }
    }
  }

  /** Returns the fingerprints of the pinned certificates and of the user's own keys. */
  #trustedFingerprints(): string[] {
    return [
      ...this.store.contacts.list().flatMap((contact) => contact.pinned?.fingerprint ?? []),
      ...this.keys.list().map((identity) => identity.fingerprint),
    ];
  }

  /**
   * An unknown signing key from an address whose key is pinned is a warning sign, not a key
   * to import, so the reason asks the user to check with the sender instead.
   */
  #explainUnknownSigners(opened: OpenedMessage, from: string | null): OpenedMessage {
    const pinned = from === null ? null : this.store.contacts.getPinned(from);
    if (!pinned) return opened;
    const signatures = opened.signatures.map((signature) =>
      // unpinned-signers.ts names the signer of a new key that follows a revoked one.
      signature.status === 'unknown-key' && signature.signerFingerprint === null
        ? {
            ...signature,
            reason: `the signing key ${signature.keyId} is not the key pinned for ${from} (${pinned.fingerprint}); check with the sender before trusting it`,
          }
        : signature,
    );
    return { ...opened, signatures };
  }

  /** Learns Autocrypt-Gossip keys, but only from a message whose signature is valid. */
  async #learnGossip(
    entity: Pick<ParsedEntity, 'protectedHeaders' | 'gossipHeaders'>,
    signatures: SignatureResult[],
  ): Promise<void> {
    if (
      !signatures.some(
        (signature) => signature.status === 'valid' && signature.signerMatchesAddress,
      )
    )
      return;
    const headers = entity.protectedHeaders;
    const recipients = [...(headers?.to ?? []), ...(headers?.cc ?? [])].map(
      (mailbox) => mailbox.address,
    );
    for (const gossip of parseGossipHeaders(entity.gossipHeaders, recipients)) {
      await this.contacts.observeGossip({
        address: gossip.addr,
        effectiveDate: new Date(),
        keydata: gossip.keydata,
      });
      await this.contacts.learn({
        address: gossip.addr,
        keydata: gossip.keydata,
        source: 'gossip',
        preferEncrypt: null,
        seenAt: new Date(),
      });
    }
  }
}

/** Verifies signed parts below the root; any such signature makes the message partially signed. */
async function verifyNested(
  parts: readonly SignedParts[],
  options: { verificationCertificates: string[]; expectedSignerAddress: string | undefined },
): Promise<{ signatures: SignatureResult[]; coverage: SignatureCoverage }> {
  const signatures: SignatureResult[] = [];
  for (const part of parts) {
    signatures.push(
      ...(await verifyDetached({
        data: part.signedBytes,
        signature: part.armoredSignature,
        ...options,
      })),
    );
  }
  return { signatures, coverage: parts.length > 0 ? 'partial' : 'none' };
}

function textEntity(data: Uint8Array, charset = 'utf-8'): ParsedEntity {
  const header = `Content-Type: text/plain; charset=${charset.replace(/[^A-Za-z0-9._:-]/g, '')}\r\n\r\n`;
  return parseEntity(new Uint8Array([...new TextEncoder().encode(header), ...data]));
}
