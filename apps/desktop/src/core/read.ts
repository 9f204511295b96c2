// Reading a stored message: decrypts and verifies it according to its kind, and returns the
// real (protected) headers, text and attachments with every status by name. Fails closed: no
// header, text or attachment of an encrypted message is returned unless decryption and the
// integrity check succeeded. Only the statuses are stored, never the plaintext. A message is
// reported as signed only when one signature covers its whole content (RFC 3156 section 5),
// and protected headers (RFC 9788) are never filled in from the unprotected outer header.

import type { Logger } from 'pino';
import type { Store, VerificationMethod } from '@sealpost/storage';
import { verifyCleartext, verifyDetached } from '@sealpost/crypto-core';
import type { SignatureResult } from '@sealpost/crypto-core';
import { parseEntity, parseGossipHeaders, parseMessage } from '@sealpost/mail-transport';
import type { ParsedEntity, SignedParts } from '@sealpost/mail-transport';
import type { ContactService } from './contacts.ts';
import { CoreError, errorCode } from './errors.ts';
import type { KeyService } from './keys.ts';
import type { CardService } from './hardware/card-service.ts';
import { decryptWithCardOrKeys } from './hardware/card-read.ts';
import { decryptLargeMessage, isLargeMessage } from './large-decrypt.ts';
import { SyncError } from './sync/sync-error.ts';
import type { RatchetMail } from './ratchet/ratchet-mail.ts';

export type {
  AttachmentReport,
  ReadResult,
  SignatureCoverage,
  SignatureReport,
  SignatureSummary,
} from './read-result.ts';
import type {
  ReadResult,
  SignatureCoverage,
  SignatureReport,
  SignatureSummary,
} from './read-result.ts';

type ParsedMessage = ReturnType<typeof parseMessage>;

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
    const parsed = parseMessage(this.store.messages.getRaw(id));
    const from = parsed.headers.from?.address?.toLowerCase() ?? null;

    try {
      // A ratchet message is opened by ratchet/ratchet-receive.ts; it returns null for others.
      const ratchetOpened = this.ratchet ? await this.ratchet.open(id, parsed, from) : null;
      const opened = ratchetOpened
        ? { ...ratchetOpened, decryptedWith: null }
        : await this.#open(parsed, from);
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

  async #open(parsed: ParsedMessage, from: string | null): Promise<OpenedMessage> {
    const verificationCertificates = [
      ...this.contacts.allPinnedCertificates(),
      ...this.keys.list().map((identity) => this.keys.exportCertificate(identity.address)),
    ];
    const expectedSignerAddress = from ?? undefined;
    const verifyOptions = { verificationCertificates, expectedSignerAddress };

    switch (parsed.kind) {
      case 'pgp-mime-encrypted':
      case 'inline-pgp-encrypted': {
        const armored =
          parsed.kind === 'pgp-mime-encrypted'
            ? parsed.encrypted!.armoredCiphertext
            : parsed.inline!.armored;
        const decryptionKeys = await this.keys.unlockAll();
        try {
          const decryptOptions = {
            message: armored,
            decryptionKeys,
            verificationCertificates,
            expectedSignerAddress,
          };
          // Large PGP/MIME mail is decrypted by streaming, unless the key is on an OpenPGP card.
          const decrypted =
            parsed.kind === 'pgp-mime-encrypted' && isLargeMessage(armored) && !this.#usesCard()
              ? await decryptLargeMessage(decryptOptions)
              : await decryptWithCardOrKeys(this.cards, this.#ownAddresses(), decryptOptions);
          const entity =
            parsed.kind === 'pgp-mime-encrypted'
              ? parseEntity(decrypted.data)
              : textEntity(decrypted.data);
          // Signed and encrypted in one OpenPGP message: the signature covers the whole payload.
          let signed: { signatures: SignatureResult[]; coverage: SignatureCoverage } = {
            signatures: decrypted.signatures,
            coverage: decrypted.signatures.length > 0 ? 'full' : 'none',
          };

          // Signed-then-encrypted: a multipart/signed at the payload root covers all of it.
          // A multipart/signed deeper down covers only its own part.
          if (signed.coverage === 'none' && entity.signed) {
            signed = {
              signatures: await verifyDetached({
                data: entity.signed.signedBytes,
                signature: entity.signed.armoredSignature,
                verificationCertificates,
                expectedSignerAddress,
              }),
              coverage: 'full',
            };
          } else if (signed.coverage === 'none') {
            signed = await verifyNested(entity.nestedSigned, verifyOptions);
          }

          // Gossip is learned only from a payload that one valid signature covers whole.
          if (signed.coverage === 'full') await this.#learnGossip(entity, signed.signatures);
          // Prekey bundles likewise, and only when signed by the sender's pinned certificate.
          if (signed.coverage === 'full' && this.ratchet) {
            const content = entity.signed ? parseEntity(entity.signed.signedBytes) : entity;
            await this.ratchet.learnBundles(from, content, signed.signatures);
          }
          return {
            entity: entity.signed ? parseEntity(entity.signed.signedBytes) : entity,
            ...signed,
            decryptedWith: decrypted.decryptedWith.primaryFingerprint,
          };
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
          entity: parseEntity(parsed.signed!.signedBytes),
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
            entity: textEntity(cleartext.signedBytes, charset),
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
          entity: textEntity(new TextEncoder().encode(verified.text)),
          signatures: verified.signatures,
          coverage: 'full',
          decryptedWith: null,
        };
      }
      case 'plain': {
        const nested = await verifyNested(parsed.body!.nestedSigned, verifyOptions);
        return { entity: parsed.body!, ...nested, decryptedWith: null };
      }
    }
  }

  /**
   * An unknown signing key from an address whose key is pinned is a warning sign, not a key
   * to import, so the reason asks the user to check with the sender instead.
   */
  #explainUnknownSigners(opened: OpenedMessage, from: string | null): OpenedMessage {
    const pinned = from === null ? null : this.store.contacts.getPinned(from);
    if (!pinned) return opened;
    const signatures = opened.signatures.map((signature) =>
      signature.status === 'unknown-key'
        ? {
            ...signature,
            reason: `the signing key ${signature.keyId} is not the key pinned for ${from} (${pinned.fingerprint}); check with the sender before trusting it`,
          }
        : signature,
    );
    return { ...opened, signatures };
  }

  /** Learns Autocrypt-Gossip keys, but only from a message whose signature is valid. */
  async #learnGossip(entity: ParsedEntity, signatures: SignatureResult[]): Promise<void> {
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

interface OpenedMessage {
  entity: ParsedEntity;
  signatures: SignatureResult[];
  coverage: SignatureCoverage;
  decryptedWith: string | null;
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

function summarize(
  signatures: readonly SignatureReport[],
  coverage: SignatureCoverage,
): SignatureSummary {
  if (signatures.length === 0 || coverage === 'none') return 'unsigned';
  if (coverage === 'partial') return 'partially-signed';
  if (signatures.some((signature) => signature.status === 'valid' && signature.signerMatchesFrom))
    return 'verified';
  if (signatures.some((signature) => signature.status === 'valid')) return 'signer-mismatch';
  if (signatures.some((signature) => signature.status === 'invalid')) return 'invalid';
  return 'unverified';
}

function toReadResult(
  id: number,
  parsed: ParsedMessage,
  opened: OpenedMessage,
  store: Store,
): ReadResult {
  const outer = parsed.headers;
  const inner = opened.entity.protectedHeaders;
  const outerFrom = outer.from?.address?.toLowerCase() ?? null;
  const innerFrom = inner?.from?.address?.toLowerCase() ?? null;

  // A protected From that differs from the envelope's From is shown, but no signature is marked
  // as matching it, because the signer was checked against the outer From.
  const fromMismatch = innerFrom !== null && innerFrom !== outerFrom;
  const signatures = opened.signatures.map((signature) => ({
    status: signature.status,
    signerFingerprint: signature.signerFingerprint,
    keyId: signature.keyId,
    created: signature.created?.toISOString() ?? null,
    signerMatchesFrom: signature.signerMatchesAddress && !fromMismatch,
    reason: signature.reason ?? mismatchReason(signature, fromMismatch, outerFrom),
  }));

  const encrypted = parsed.kind === 'pgp-mime-encrypted' || parsed.kind === 'inline-pgp-encrypted';
  return {
    id,
    messageId: outer.messageId ?? null,
    // With header protection, the unprotected outer fields are never used in place of the
    // protected ones, even where a protected field is missing. From falls back to the outer
    // one because signatures are checked against it.
    from: innerFrom ?? outerFrom,
    to: (inner ? inner.to : outer.to).map((mailbox) => mailbox.address.toLowerCase()),
    cc: (inner ? inner.cc : outer.cc).map((mailbox) => mailbox.address.toLowerCase()),
    date: (inner ? inner.date : outer.date)?.toISOString() ?? null,
    subject: inner ? inner.subject : outer.subject,
    headersProtected: inner !== null,
    kind: parsed.kind,
    encryption: {
      status: encrypted ? 'encrypted' : 'not-encrypted',
      decryptedWith: opened.decryptedWith,
    },
    signatures,
    signatureCoverage: opened.coverage,
    signatureSummary: summarize(signatures, opened.coverage),
    text: opened.entity.text,
    html: opened.entity.html,
    attachments: opened.entity.attachments.map((attachment) => ({
      filename: attachment.filename ?? 'attachment.bin',
      contentType: attachment.contentType,
      size: attachment.size,
      content: attachment.content,
    })),
    negotiation: outer.messageId ? store.negotiationRecords.get(outer.messageId) : null,
    senderVerifiedBy: senderVerification(store, innerFrom ?? outerFrom),
  };
}

function senderVerification(store: Store, from: string | null): VerificationMethod | null {
  const pinned = from === null ? null : store.contacts.getPinned(from);
  if (!pinned || from === null) return null;
  return store.contactTrust.getVerification(from, pinned.fingerprint)?.method ?? null;
}

function mismatchReason(
  signature: SignatureResult,
  fromMismatch: boolean,
  outerFrom: string | null,
): string | null {
  if (fromMismatch) return 'the protected From differs from the outer From';
  if (signature.status === 'valid' && !signature.signerMatchesAddress) {
    return `the signer's certificate has no User ID with the From address ${outerFrom ?? '(none)'}`;
  }
  return null;
}
