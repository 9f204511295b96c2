// Classification of a received message that decodes only the parts its kind depends on. It
// returns the kind that parseMessage returns (RFC 3156 PGP/MIME, inline PGP, plain), the
// top-level header fields and Autocrypt headers, and the media types of a plain message's
// attachments. Sync uses it to store a message cheaply. Reading and search indexing still
// use parseMessage.

import { decodeTextBody, readDisposition } from './body-decoding.ts';
import { fieldValues } from './header-section.ts';
import { findInlinePgp } from './inline-pgp.ts';
import { readMessageHeaders, type ParsedHeaders } from './message-headers.ts';
import { parseMimeTree, type MimeNode } from './mime-tree.ts';
import type { MessageKind } from './parse-message.ts';
import { checkArmorSize, resolveParseLimits, type ParseLimits } from './parse-limits.ts';
import { findPgpMimeCiphertext, readCiphertext } from './pgp-mime-detection.ts';
import { readSignedParts } from './signed-parts.ts';

export interface MessageClassification {
  headers: ParsedHeaders;
  /** Unfolded values of every Autocrypt header, for parseAutocryptHeaders. */
  autocryptHeaders: string[];
  kind: MessageKind;
  /**
   * Lowercased media types of the parts that parseMessage lists in `body.attachments`, in
   * document order. Empty unless `kind` is 'plain'.
   */
  attachmentTypes: string[];
}

/**
 * Classifies a received message as parseMessage would, but decodes only what the kind depends
 * on: a PGP/MIME ciphertext part and the first text/plain part (for inline PGP). Raises the
 * same MIME_MALFORMED and MESSAGE_TOO_LARGE errors as parseMessage for the same input.
 */
export function classifyMessage(
  raw: Uint8Array,
  limits?: Partial<ParseLimits>,
): MessageClassification {
  const resolved = resolveParseLimits(limits);
  const root = parseMimeTree(raw, resolved);
  const base = {
    headers: readMessageHeaders(root.fields),
    autocryptHeaders: fieldValues(root.fields, 'autocrypt'),
    attachmentTypes: [],
  };

  // The readers below raise for a malformed structure, as they do inside parseMessage.
  const ciphertextPart = findPgpMimeCiphertext(raw, root);
  if (ciphertextPart) {
    readCiphertext(raw, ciphertextPart, resolved);
    return { ...base, kind: 'pgp-mime-encrypted' };
  }

  if (
    root.mediaType === 'multipart/signed' &&
    root.parameters['protocol']?.toLowerCase() === 'application/pgp-signature'
  ) {
    readSignedParts(raw, root);
    return { ...base, kind: 'pgp-mime-signed' };
  }

  const textPart = findFirstTextPart(root);
  if (textPart) {
    const block = findInlinePgp(decodeTextBody(raw, textPart).text);
    if (block) {
      checkArmorSize(block.armored.length, resolved, 'inline PGP block');
      const kind = block.kind === 'encrypted' ? 'inline-pgp-encrypted' : 'inline-pgp-signed';
      return { ...base, kind };
    }
  }

  // readEntity trims the protocol parameter, so a padded one reaches it as signed content.
  let contentRoot = root;
  if (
    root.mediaType === 'multipart/signed' &&
    root.parameters['protocol']?.trim().toLowerCase() === 'application/pgp-signature'
  ) {
    readSignedParts(raw, root);
    contentRoot = root.children[0] as MimeNode;
  }
  const walk: AttachmentWalk = { htmlTaken: false, attachmentTypes: [] };
  collectAttachmentTypes(contentRoot, walk);
  return { ...base, kind: 'plain', attachmentTypes: walk.attachmentTypes };
}

/** Finds the first text/plain leaf that is not an attachment, as parseMessage does. */
function findFirstTextPart(node: MimeNode): MimeNode | null {
  if (node.mediaType === 'text/plain') {
    return readDisposition(node).type === 'attachment' ? null : node;
  }
  if (!node.mediaType.startsWith('multipart/')) return null;
  for (const child of node.children) {
    const found = findFirstTextPart(child);
    if (found) return found;
  }
  return null;
}

interface AttachmentWalk {
  /** True once a text/html part became the body's HTML; later inline ones are attachments. */
  htmlTaken: boolean;
  attachmentTypes: string[];
}

/**
 * Walks the tree as readEntity does for a received message: inline text/plain and the first
 * inline text/html are body text and every other leaf is an attachment. Inside
 * multipart/alternative the last text/html child is the HTML, and of the other children only
 * multipart ones are walked further.
 */
function collectAttachmentTypes(node: MimeNode, walk: AttachmentWalk): void {
  if (node.mediaType === 'multipart/alternative') {
    if (node.children.some((child) => child.mediaType === 'text/html')) walk.htmlTaken = true;
    for (const child of node.children) {
      if (child.mediaType.startsWith('multipart/')) collectAttachmentTypes(child, walk);
    }
    return;
  }
  if (node.mediaType.startsWith('multipart/')) {
    for (const child of node.children) collectAttachmentTypes(child, walk);
    return;
  }

  const isAttachment = readDisposition(node).type === 'attachment';
  if (node.mediaType === 'text/plain' && !isAttachment) return;
  if (node.mediaType === 'text/html' && !isAttachment && !walk.htmlTaken) {
    walk.htmlTaken = true;
    return;
  }
  walk.attachmentTypes.push(node.mediaType);
}
