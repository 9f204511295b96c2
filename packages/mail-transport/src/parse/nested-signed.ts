// Detection of PGP/MIME signed parts (RFC 3156 section 5) below the root of an entity. Such a
// signature covers only its own part, so a message with one is "partially signed", never
// "signed". Entities inside message/rfc822 attachments are not split and so never count.

import type { MimeNode } from './mime-tree.ts';
import { readSignedParts, type SignedParts } from './signed-parts.ts';
import { TransportError } from '../transport-error.ts';

/**
 * Returns every outermost multipart/signed PGP part below `root` (not `root` itself), in
 * document order. A malformed one is skipped, so its content is only shown as unsigned.
 */
export function findNestedSignedParts(source: Uint8Array, root: MimeNode): SignedParts[] {
  const found: SignedParts[] = [];
  for (const child of root.children) collect(source, child, found);
  return found;
}

function collect(source: Uint8Array, node: MimeNode, found: SignedParts[]): void {
  if (
    node.mediaType === 'multipart/signed' &&
    node.parameters['protocol']?.trim().toLowerCase() === 'application/pgp-signature'
  ) {
    try {
      found.push(readSignedParts(source, node));
    } catch (error) {
      if (!(error instanceof TransportError)) throw error;
    }
    return;
  }
  for (const child of node.children) collect(source, child, found);
}
