// The result of reading a message: real headers, text, attachments and every security status
// by name, shared by the CLI, the UI and the search index.

import type { NegotiationRecord, VerificationMethod } from '@sealpost/storage';
import type { SignatureResult } from '@sealpost/crypto-core';
import type { StoredAttachment } from './read-attachments.ts';

export interface SignatureReport {
  status: SignatureResult['status'];
  signerFingerprint: string | null;
  keyId: string;
  created: string | null;
  signerMatchesFrom: boolean;
  reason: string | null;
}

/**
 * Extent of the signed content: `full` when one signature covers the whole content, `partial`
 * when only some parts are signed (a signed part among unsigned ones), `none` when unsigned.
 */
export type SignatureCoverage = 'full' | 'partial' | 'none';

/**
 * One-word verdict on the message's signatures. `verified` needs a valid signature over the
 * whole content by a key whose User ID is the From address. A valid signature by a key of
 * another address is `signer-mismatch`, never `verified`.
 */
export type SignatureSummary =
  'verified' | 'signer-mismatch' | 'partially-signed' | 'invalid' | 'unverified' | 'unsigned';

export interface AttachmentReport {
  filename: string;
  contentType: string;
  size: number;
  /** The decoded bytes, or null for a large attachment of a message read through the spool. */
  content: Uint8Array | null;
  /**
   * The encrypted temporary file with the decoded bytes when `content` is null. The reader of
   * the result deletes it with releaseAttachments (read-attachments.ts).
   */
  stored: StoredAttachment | null;
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
  signatureCoverage: SignatureCoverage;
  signatureSummary: SignatureSummary;
  text: string | null;
  html: string | null;
  attachments: AttachmentReport[];
  /** The mode and reason recorded when this message was sent from here, or null. */
  negotiation: NegotiationRecord | null;
  /** The method by which the user verified the sender's pinned key, or null when unverified. */
  senderVerifiedBy: VerificationMethod | null;
}
