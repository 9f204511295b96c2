// Reading a stored message: decrypts and verifies it according to its kind, and returns the
// real (protected) headers, text and attachments with every status by name. Fails closed: no
// header, text or attachment of an encrypted message is returned unless decryption and the
// integrity check succeeded. Only the statuses are stored, never the plaintext.

import type { Logger } from 'pino';
import type { Store } from '@sealpost/storage';
import { decryptAndVerify, verifyCleartext, verifyDetached } from '@sealpost/crypto-core';
import type { SignatureResult } from '@sealpost/crypto-core';
import { parseEntity, parseGossipHeaders, parseMessage } from '@sealpost/mail-transport';
import type { ParsedEntity } from '@sealpost/mail-transport';
import type { ContactService } from './contacts.ts';
import { CoreError, errorCode } from './errors.ts';
import type { KeyService } from './keys.ts';

export interface SignatureReport {
  status: SignatureResult['status'];
  signerFingerprint: string | null;
  keyId: string;
  created: string | null;
  signerMatchesFrom: boolean;
  reason: string | null;
}

export interface AttachmentReport {
  filename: string;
  contentType: string;
  size: number;
  content: Uint8Array;
}

export interface ReadResult {
  id: number;
  messageId: string | null;
  from: string | null;
  to: string[];
  cc: string[];
  date: string | null;
  subject: string | null;
  /** Whether the subject and addresses came from inside the encryption (header protection). */
  headersProtected: boolean;
  kind: string;
  encryption: { status: 'encrypted' | 'not-encrypted'; decryptedWith: string | null };
  signatures: SignatureReport[];
  text: string | null;
  html: string | null;
  attachments: AttachmentReport[];
}

type ParsedMessage = ReturnType<typeof parseMessage>;

export class ReadService {
  constructor(
    private readonly store: Store,
    private readonly keys: KeyService,
    private readonly contacts: ContactService,
    private readonly log: Logger,
  ) {}

  async read(id: number): Promise<ReadResult> {
    const row = this.store.messages.get(id);
    if (!row) {
      throw new CoreError(
        'MESSAGE_NOT_FOUND',
        `No message with id ${id}; list messages with "sealpost list".`,
      );
    }
    const parsed = parseMessage(this.store.messages.getRaw(id));
    const from = parsed.headers.from?.address?.toLowerCase() ?? null;

    try {
      const result = await this.#open(parsed, from);
      const report = toReadResult(id, parsed, result);
      this.store.messages.setResult(id, {
        kind: parsed.kind,
        encrypted: report.encryption.status === 'encrypted',
        decryptedWith: report.encryption.decryptedWith,
        signatures: report.signatures.map(({ status, signerFingerprint, signerMatchesFrom }) => ({
          status,
          signerFingerprint,
          signerMatchesFrom,
        })),
        error: null,
      });
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

  async #open(parsed: ParsedMessage, from: string | null): Promise<OpenedMessage> {
    const verificationCertificates = [
      ...this.contacts.allPinnedCertificates(),
      ...this.keys.list().map((identity) => this.keys.exportCertificate(identity.address)),
    ];
    const expectedSignerAddress = from ?? undefined;

    switch (parsed.kind) {
      case 'pgp-mime-encrypted':
      case 'inline-pgp-encrypted': {
        const armored =
          parsed.kind === 'pgp-mime-encrypted'
            ? parsed.encrypted!.armoredCiphertext
            : parsed.inline!.armored;
        const decryptionKeys = await this.keys.unlockAll();
        try {
          const decrypted = await decryptAndVerify({
            message: armored,
            decryptionKeys,
            verificationCertificates,
            expectedSignerAddress,
          });
          const entity =
            parsed.kind === 'pgp-mime-encrypted'
              ? parseEntity(decrypted.data)
              : textEntity(decrypted.data);
          let signatures = decrypted.signatures;

          // Signed-then-encrypted: a multipart/signed inside the encryption carries the signature.
          if (signatures.length === 0 && entity.signed) {
            signatures = await verifyDetached({
              data: entity.signed.signedBytes,
              signature: entity.signed.armoredSignature,
              verificationCertificates,
              expectedSignerAddress,
            });
          }
          await this.#learnGossip(entity, signatures);
          return {
            entity: entity.signed ? parseEntity(entity.signed.signedBytes) : entity,
            signatures,
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
        return { entity: parseEntity(parsed.signed!.signedBytes), signatures, decryptedWith: null };
      }
      case 'inline-pgp-signed': {
        const verified = await verifyCleartext({
          message: parsed.inline!.armored,
          verificationCertificates,
          expectedSignerAddress,
        });
        return {
          entity: textEntity(new TextEncoder().encode(verified.text)),
          signatures: verified.signatures,
          decryptedWith: null,
        };
      }
      case 'plain':
        return { entity: parsed.body!, signatures: [], decryptedWith: null };
    }
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
  decryptedWith: string | null;
}

function textEntity(data: Uint8Array): ParsedEntity {
  return parseEntity(
    new Uint8Array([
      ...new TextEncoder().encode('Content-Type: text/plain; charset=utf-8\r\n\r\n'),
      ...data,
    ]),
  );
}

function toReadResult(id: number, parsed: ParsedMessage, opened: OpenedMessage): ReadResult {
  const outer = parsed.headers;
  const inner = opened.entity.protectedHeaders;
  const outerFrom = outer.from?.address?.toLowerCase() ?? null;
  const innerFrom = inner?.from?.address?.toLowerCase() ?? null;

  // A protected From that differs from the envelope's From is shown, but no signature is then
  // said to match it: the signer was checked against the outer From.
  const fromMismatch = innerFrom !== null && innerFrom !== outerFrom;
  const signatures = opened.signatures.map((signature) => ({
    status: signature.status,
    signerFingerprint: signature.signerFingerprint,
    keyId: signature.keyId,
    created: signature.created?.toISOString() ?? null,
    signerMatchesFrom: signature.signerMatchesAddress && !fromMismatch,
    reason:
      signature.reason ?? (fromMismatch ? 'the protected From differs from the outer From' : null),
  }));

  const encrypted = parsed.kind === 'pgp-mime-encrypted' || parsed.kind === 'inline-pgp-encrypted';
  return {
    id,
    messageId: outer.messageId ?? null,
    from: innerFrom ?? outerFrom,
    to: (inner?.to ?? outer.to).map((mailbox) => mailbox.address.toLowerCase()),
    cc: (inner?.cc ?? outer.cc).map((mailbox) => mailbox.address.toLowerCase()),
    date: (inner?.date ?? outer.date)?.toISOString() ?? null,
    subject: inner?.subject ?? outer.subject ?? null,
    headersProtected: inner !== null,
    kind: parsed.kind,
    encryption: {
      status: encrypted ? 'encrypted' : 'not-encrypted',
      decryptedWith: opened.decryptedWith,
    },
    signatures,
    text: opened.entity.text,
    html: opened.entity.html,
    attachments: opened.entity.attachments.map((attachment) => ({
      filename: attachment.filename ?? 'attachment.bin',
      contentType: attachment.contentType,
      size: attachment.size,
      content: attachment.content,
    })),
  };
}
