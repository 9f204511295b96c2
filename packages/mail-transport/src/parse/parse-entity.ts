// Reader for a MIME entity such as a decrypted payload: protected headers (RFC 9788 section 4.3
// and the older protected-headers="v1"), text, HTML, attachments and Autocrypt-Gossip fields.
// When the entity is multipart/signed, its content is returned together with the signed bytes,
// and nothing of it may be shown before the caller has verified the signature over them.

import { decodeTextBody, decodeTransferEncoding, readDisposition } from './body-decoding.ts';
import { fieldValues } from './header-section.ts';
import { readMessageHeaders, type ParsedHeaders } from './message-headers.ts';
import { parseMimeTree, type MimeNode } from './mime-tree.ts';
import { findNestedSignedParts } from './nested-signed.ts';
import { resolveParseLimits, type ParseLimits } from './parse-limits.ts';
import { readSignedParts, type SignedParts } from './signed-parts.ts';

export type ProtectedHeaders = Pick<
  ParsedHeaders,
  'subject' | 'from' | 'to' | 'cc' | 'date' | 'messageId'
>;

export interface ParsedAttachment {
  filename: string | null;
  contentType: string;
  /** Size in bytes after transfer decoding. */
  size: number;
  content: Uint8Array;
}

export interface ParsedEntity {
  /** Fields of the root entity. */
  headers: ParsedHeaders;
  /** Present when the content root has an hp or protected-headers parameter, or its own From or Subject. */
  protectedHeaders: ProtectedHeaders | null;
  /** Text of the inline text/plain parts, LF line breaks. */
  text: string | null;
  /** The first inline text/html part, LF line breaks. Untrusted markup to sanitize before display. */
  html: string | null;
  attachments: ParsedAttachment[];
  /**
   * Unfolded Autocrypt-Gossip values of the root entity (and of the signed part, if signed);
   * always empty for a plain received message.
   */
  gossipHeaders: string[];
  /** Present when the root is multipart/signed. The other fields then describe its first part. */
  signed?: SignedParts;
  /**
   * PGP/MIME signed parts below the root when the root itself is not signed. Each signature
   * covers only its part, so the entity as a whole is at most partially signed.
   */
  nestedSigned: SignedParts[];
}

interface ContentAccumulator {
  textParts: string[];
  html: string | null;
  attachments: ParsedAttachment[];
}

/**
 * Parses an entity. Raises MIME_MALFORMED for input that is not MIME and MESSAGE_TOO_LARGE when
 * a limit of `limits` (defaults: DEFAULT_PARSE_LIMITS) is exceeded.
 */
export function parseEntity(bytes: Uint8Array, limits?: Partial<ParseLimits>): ParsedEntity {
  const root = parseMimeTree(bytes, resolveParseLimits(limits));
  return readEntity(bytes, root, 'payload');
}

/**
 * Reads an already split entity tree. `role` is 'payload' for a decrypted or signed entity,
 * and 'message' for a plain received message, whose header fields protect nothing.
 */
export function readEntity(
  source: Uint8Array,
  root: MimeNode,
  role: 'payload' | 'message',
): ParsedEntity {
  let contentRoot = root;
  let signed: SignedParts | undefined;
  if (root.mediaType === 'multipart/signed' && isPgpSignature(root)) {
    signed = readSignedParts(source, root);
    contentRoot = root.children[0] as MimeNode;
  }

  const protectedHeaders =
    role === 'payload' && hasProtectedHeaders(contentRoot)
      ? pickProtected(readMessageHeaders(contentRoot.fields))
      : null;

  const content: ContentAccumulator = { textParts: [], html: null, attachments: [] };
  collectContent(source, contentRoot, content, protectedHeaders !== null);

  // Autocrypt Level 1 reads Autocrypt-Gossip only inside the encryption, so a plain received
  // message has none, whatever fields it carries.
  const gossipHeaders = role === 'payload' ? fieldValues(root.fields, 'autocrypt-gossip') : [];
  if (role === 'payload' && contentRoot !== root)
    gossipHeaders.push(...fieldValues(contentRoot.fields, 'autocrypt-gossip'));

  const entity: ParsedEntity = {
    headers: readMessageHeaders(root.fields),
    protectedHeaders,
    text: content.textParts.length > 0 ? content.textParts.join('\n') : null,
    html: content.html,
    attachments: content.attachments,
    gossipHeaders,
    nestedSigned: signed ? [] : findNestedSignedParts(source, root),
  };
  if (signed) entity.signed = signed;
  return entity;
}

function isPgpSignature(node: MimeNode): boolean {
  return node.parameters['protocol']?.trim().toLowerCase() === 'application/pgp-signature';
}

function hasProtectedHeaders(node: MimeNode): boolean {
  if ('hp' in node.parameters || 'protected-headers' in node.parameters) return true;
  return node.fields.some((field) => field.key === 'from' || field.key === 'subject');
}

function pickProtected(headers: ParsedHeaders): ProtectedHeaders {
  const { subject, from, to, cc, date, messageId } = headers;
  return { subject, from, to, cc, date, messageId };
}

function collectContent(
  source: Uint8Array,
  node: MimeNode,
  content: ContentAccumulator,
  hasProtected: boolean,
): void {
  if (node.mediaType === 'multipart/alternative') {
    collectAlternative(source, node, content, hasProtected);
    return;
  }
  if (node.mediaType.startsWith('multipart/')) {
    for (const child of node.children) collectContent(source, child, content, hasProtected);
    return;
  }

  const disposition = readDisposition(node);
  const isAttachment = disposition.type === 'attachment';

  // RFC 9788 section 4.5.3: a Legacy Display Element repeats the protected headers for old
  // clients. A reader that understands header protection must not show it as body text.
  if (
    hasProtected &&
    node.parameters['hp-legacy-display'] === '1' &&
    node.mediaType.startsWith('text/')
  )
    return;

  if (node.mediaType === 'text/plain' && !isAttachment) {
    content.textParts.push(toLineFeeds(decodeTextBody(source, node).text));
    return;
  }
  if (node.mediaType === 'text/html' && !isAttachment && content.html === null) {
    content.html = toLineFeeds(decodeTextBody(source, node).text);
    return;
  }

  const decoded = decodeTransferEncoding(source, node);
  content.attachments.push({
    filename: disposition.filename,
    contentType: node.mediaType,
    size: decoded.length,
    content: decoded,
  });
}

/** Takes the last text/plain and the last text/html alternative (RFC 2046 section 5.1.4 orders them by preference). */
function collectAlternative(
  source: Uint8Array,
  node: MimeNode,
  content: ContentAccumulator,
  hasProtected: boolean,
): void {
  let plain: MimeNode | null = null;
  let html: MimeNode | null = null;
  const others: MimeNode[] = [];
  for (const child of node.children) {
    if (child.mediaType === 'text/plain') plain = child;
    else if (child.mediaType === 'text/html') html = child;
    else if (child.mediaType.startsWith('multipart/')) others.push(child);
  }

  if (plain) content.textParts.push(toLineFeeds(decodeTextBody(source, plain).text));
  if (html && content.html === null) content.html = toLineFeeds(decodeTextBody(source, html).text);
  for (const child of others) collectContent(source, child, content, hasProtected);
}

/** Text is returned with LF line breaks, the form JavaScript and the UI use. */
function toLineFeeds(text: string): string {
  return text.replace(/\r\n/g, '\n');
}
