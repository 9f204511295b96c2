// Builds outgoing messages whose signature the OpenPGP card makes. The card can only sign a
// digest, so encrypted mail is signed first and then encrypted (RFC 3156 section 6.1): a
// multipart/signed entity, whose signed part carries the protected headers (RFC 9788), is
// encrypted without a second signature to the recipients and to the sender's own key.
// Signed-only mail is the usual multipart/signed message of RFC 3156 section 5.
import {
  certificateToBinary,
  encryptAndSign,
  micalgOf,
  type EncryptionMode,
} from '@sealpost/crypto-core';
import {
  buildEncryptedMessage,
  buildInnerEntity,
  buildSignedMessage,
  formatGossipHeader,
  signedPartBytes,
  type AttachmentInput,
  type Micalg,
} from '@sealpost/mail-transport';
import type { CardService } from './card-service.ts';

export interface CardMessageInput {
  from: { address: string; name: string | null };
  to: string[];
  cc: string[];
  bcc: string[];
  date: Date;
  messageId: string;
  subject: string;
  text: string;
  attachments: AttachmentInput[];
  autocrypt: { addr: string; preferEncrypt: 'mutual'; keydata: Uint8Array };
  /** 'openpgp' encrypts; 'signed-plaintext' only signs. */
  mode: 'openpgp' | 'signed-plaintext';
  encryption: EncryptionMode;
  /** Returns the armored certificate to encrypt to for an address (own or contact). */
  certificateOf: (address: string) => string;
}

export interface OutgoingMessage {
  raw: Uint8Array;
  envelopeTo: string[];
}

export async function buildCardSignedMessages(
  cards: CardService,
  input: CardMessageInput,
): Promise<OutgoingMessage[]> {
  const { from, to, cc, bcc, date, messageId } = input;
  const headers = { from, to, cc, date, messageId };
  const visible = [...new Set([...to, ...cc])];

  if (input.mode === 'signed-plaintext') {
    const signedEntity = buildInnerEntity({
      headers: { ...headers, subject: input.subject },
      text: input.text,
      attachments: input.attachments,
      protection: 'signed',
    });
    const armoredSignature = await cards.signDetached(from.address, signedPartBytes(signedEntity));
    const raw = buildSignedMessage({
      headers: { ...headers, subject: input.subject },
      signedEntity,
      armoredSignature,
      micalg: (await micalgOf(armoredSignature)) as Micalg,
      autocrypt: input.autocrypt,
    });
    return [{ raw, envelopeTo: [...new Set([...visible, ...bcc])] }];
  }

  // Autocrypt-Gossip tells each visible recipient the keys of the others (Level 1, 5.1).
  const gossip =
    visible.length > 1
      ? await Promise.all(
          visible.map(async (address) =>
            formatGossipHeader({
              addr: address,
              keydata: await certificateToBinary(input.certificateOf(address)),
            }),
          ),
        )
      : [];
  const inner = buildInnerEntity({
    headers: { ...headers, subject: input.subject },
    text: input.text,
    attachments: input.attachments,
    gossip,
  });
  const armoredSignature = await cards.signDetached(from.address, signedPartBytes(inner));
  // The multipart/signed payload repeats the real header fields; they travel encrypted.
  const payload = buildSignedMessage({
    headers: { ...headers, subject: input.subject },
    signedEntity: inner,
    armoredSignature,
    micalg: (await micalgOf(armoredSignature)) as Micalg,
  });

  const ownCertificate = input.certificateOf(from.address);
  const encryptTo = async (addresses: string[]): Promise<string> =>
    encryptAndSign({
      data: payload,
      recipientCertificates: [
        ...addresses.filter((address) => address !== from.address).map(input.certificateOf),
        ownCertificate,
      ],
      encryptToSigner: false,
      // NOTE: a card holds no ML-KEM subkey, so 'auto' falls back to classical encryption when
      // the sender's certificate lost its ML-KEM subkey in the move to the card, even though
      // the negotiation recorded 'pq'.
      mode: input.encryption === 'classical' ? 'classical' : 'auto',
    });

  const messages: OutgoingMessage[] = [];
  if (visible.length > 0) {
    const armoredCiphertext = await encryptTo(visible);
    messages.push({
      raw: buildEncryptedMessage({ headers, armoredCiphertext, autocrypt: input.autocrypt }),
      envelopeTo: visible,
    });
  }
  // Each Bcc recipient gets an own copy, so no header or key ID reveals them to the others.
  for (const address of bcc) {
    const armoredCiphertext = await encryptTo([address]);
    messages.push({
      raw: buildEncryptedMessage({ headers, armoredCiphertext, autocrypt: input.autocrypt }),
      envelopeTo: [address],
    });
  }
  return messages;
}
