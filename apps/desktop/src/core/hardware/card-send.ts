// The signing step of a send whose key is on an OpenPGP card, for outgoing-messages.ts. The
// card can only sign a digest, so encrypted mail is signed first and then encrypted (RFC 3156
// section 6.1): a multipart/signed entity, whose signed part carries the protected headers
// (RFC 9788), is encrypted without a second signature. Each signature needs the user PIN.
import type { EncryptionMode } from '@sealpost/crypto-core';
import type { MessageSigner } from '../outgoing-messages.ts';
import type { CardService } from './card-service.ts';

export function cardMessageSigner(cards: CardService, address: string): MessageSigner {
  return {
    signDetached: (data) => cards.signDetached(address, data),
    insideKey: null,
  };
}

/**
 * Returns the encryption mode for mail signed on a card. A card has no ML-KEM subkey, so the
 * sender's certificate lost it in the move, and 'auto' falls back to classical encryption even
 * when the negotiation recorded 'pq'.
 */
export function cardEncryptionMode(negotiated: EncryptionMode): 'auto' | 'classical' {
  return negotiated === 'classical' ? 'classical' : 'auto';
}
