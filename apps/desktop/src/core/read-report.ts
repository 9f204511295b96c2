// Builds the ReadResult of an opened message: chooses protected over outer headers, states
// whether each signature matches the sender, and gives the one-word signature verdict. A valid
// signature counts as matching only when the protected and outer From agree (RFC 9788).

import type { Store, VerificationMethod } from '@sealpost/storage';
import type { SignatureResult } from '@sealpost/crypto-core';
import type { ParsedEntity, parseMessage, StreamedEntity } from '@sealpost/mail-transport';
import type { StoredAttachment } from './read-attachments.ts';
import type {
  ReadResult,
  SignatureCoverage,
  SignatureReport,
  SignatureSummary,
} from './read-result.ts';

type ParsedMessage = ReturnType<typeof parseMessage>;

/** A message's content entity, with each large attachment in memory or in a temporary file. */
export type ReadEntity = StreamedEntity<StoredAttachment>;

/** Returns an entity parsed in memory as a ReadEntity, without its multipart/signed parts. */
export function readEntityOf(entity: ParsedEntity): ReadEntity {
  return {
    headers: entity.headers,
    protectedHeaders: entity.protectedHeaders,
    text: entity.text,
    html: entity.html,
    attachments: entity.attachments.map((attachment) => ({ ...attachment, stored: null })),
    gossipHeaders: entity.gossipHeaders,
    nestedSigned: entity.nestedSigned,
  };
}

/**
 * Returns `entity` with only the attachments held in memory, for the steps that read protocol
 * parts (attached revocations, prekey bundles), which are far smaller than the file threshold.
 */
export function inMemoryEntity(entity: ReadEntity): ParsedEntity {
  return {
    ...entity,
    attachments: entity.attachments.flatMap(({ stored: _stored, content, ...rest }) =>
      content === null ? [] : [{ ...rest, content }],
    ),
  };
}

/** A message after decryption and signature checks, before it becomes a ReadResult. */
export interface OpenedMessage {
  entity: ReadEntity;
  signatures: SignatureResult[];
  coverage: SignatureCoverage;
  decryptedWith: string | null;
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

/** Returns what the CLI, the UI and the search index see of an opened message. */
export function toReadResult(
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
      stored: attachment.stored,
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
