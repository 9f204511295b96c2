// Builds the PGP/MIME messages of one send, for a disk key and an OpenPGP card alike; only the
// signing step differs. Encrypted mail gets Autocrypt-Gossip headers for the visible recipients
// (Autocrypt Level 1 section 5.1), one copy to To and Cc, and one copy per Bcc recipient, so
// neither a header nor a PKESK key ID reveals a Bcc recipient. Each copy is checked to carry a
// PKESK for every recipient before it leaves. Signed-only mail is RFC 3156 section 5.
import {
  certificateToBinary,
  encryptAndSignWithPlan,
  micalgOf,
  requireRecipientsEncryptedTo,
  signDetached,
  type EncryptionMode,
  type UnlockedKey,
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

export interface OutgoingMessage {
  raw: Uint8Array;
  envelopeTo: string[];
}

/** The signing step of a send: a disk key or an OpenPGP card. */
export interface MessageSigner {
  /** Returns an armored detached signature over `data`. */
  signDetached(data: Uint8Array): Promise<string>;
  /**
   * The key for a one-pass signature inside the encryption, or null to sign the payload as
   * multipart/signed first and then encrypt it unsigned (RFC 3156 section 6.1), as a card must
   * because it only signs a digest.
   */
  insideKey: UnlockedKey | null;
}

/** Signs with an unlocked disk key: one-pass inside encrypted mail, detached otherwise. */
export function diskKeySigner(signingKey: UnlockedKey): MessageSigner {
  return {
    signDetached: (data) => signDetached({ data, signingKey }),
    insideKey: signingKey,
  };
}

export interface OutgoingInput {
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
  signer: MessageSigner;
  /** Returns the armored certificate to encrypt to for an address, the sender's own included. */
  certificateOf: (address: string) => string;
}

/** Builds the encrypted copies: one to the To and Cc recipients, one per Bcc recipient. */
export async function buildEncryptedMessages(
  input: OutgoingInput & { mode: 'auto' | EncryptionMode },
): Promise<OutgoingMessage[]> {
  const { from, to, cc, bcc, date, messageId, autocrypt } = input;
  const headers = { from, to, cc, date, messageId };
  const visible = uniqueAddresses([...to, ...cc]);
  const gossip = await gossipHeaders(visible, input.certificateOf);
  const inner = buildInnerEntity({
    headers: { ...headers, subject: input.subject },
    text: input.text,
    attachments: input.attachments,
    gossip,
  });
  const payload = input.signer.insideKey
    ? inner
    : await signedPayload(inner, { ...headers, subject: input.subject }, input.signer);

  // The sender's own key opens the copy that is stored in Sent, which is the first one.
  const encryptTo = async (addresses: string[], includeSender: boolean): Promise<string> => {
    const recipientCertificates = addresses
      .filter((address) => address !== from.address)
      .map((address) => input.certificateOf(address));
    const encrypted = await encryptAndSignWithPlan({
      data: payload,
      recipientCertificates: includeSender
        ? [...recipientCertificates, input.certificateOf(from.address)]
        : recipientCertificates,
      ...(input.signer.insideKey ? { signingKey: input.signer.insideKey } : {}),
      encryptToSigner: false,
      mode: input.mode,
    });
    await requireRecipientsEncryptedTo({
      message: encrypted.message,
      recipientCertificates,
      mode: encrypted.plan.mode,
    });
    return encrypted.message;
  };

  const messages: OutgoingMessage[] = [];
  if (visible.length > 0) {
    const armoredCiphertext = await encryptTo(visible, true);
    messages.push({
      raw: buildEncryptedMessage({ headers, armoredCiphertext, autocrypt }),
      envelopeTo: visible,
    });
  }
  for (const address of bcc) {
    const armoredCiphertext = await encryptTo([address], visible.length === 0);
    messages.push({
      raw: buildEncryptedMessage({ headers, armoredCiphertext, autocrypt }),
      envelopeTo: [address],
    });
  }
  return messages;
}

/** Builds the signed-only message (multipart/signed with hp="clear") for every recipient. */
export async function buildSignedOnlyMessage(input: OutgoingInput): Promise<OutgoingMessage> {
  const { from, to, cc, bcc, date, messageId } = input;
  const headers = { from, to, cc, date, messageId, subject: input.subject };
  const signedEntity = buildInnerEntity({
    headers,
    text: input.text,
    attachments: input.attachments,
    protection: 'signed',
  });
  const armoredSignature = await input.signer.signDetached(signedPartBytes(signedEntity));
  const raw = buildSignedMessage({
    headers,
    signedEntity,
    armoredSignature,
    // The micalg parameter must name the hash the signature really used (RFC 3156 section 5).
    micalg: (await micalgOf(armoredSignature)) as Micalg,
    autocrypt: input.autocrypt,
  });
  return { raw, envelopeTo: uniqueAddresses([...to, ...cc, ...bcc]) };
}

/** Wraps `inner` in multipart/signed; the payload repeats the real header fields. */
async function signedPayload(
  inner: Uint8Array,
  headers: Parameters<typeof buildSignedMessage>[0]['headers'],
  signer: MessageSigner,
): Promise<Uint8Array> {
  const armoredSignature = await signer.signDetached(signedPartBytes(inner));
  return buildSignedMessage({
    headers,
    signedEntity: inner,
    armoredSignature,
    micalg: (await micalgOf(armoredSignature)) as Micalg,
  });
}

/**
 * Returns the Autocrypt-Gossip headers of the visible recipients (Autocrypt Level 1 section
 * 5.1), or none for a single recipient.
 */
export async function gossipHeaders(
  visible: string[],
  certificateOf: (address: string) => string,
): Promise<string[]> {
  if (visible.length <= 1) return [];
  return Promise.all(
    visible.map(async (address) =>
      formatGossipHeader({
        addr: address,
        keydata: await certificateToBinary(certificateOf(address)),
      }),
    ),
  );
}

/** Returns the addresses without repeats, in the order of their first occurrence. */
export function uniqueAddresses(addresses: string[]): string[] {
  return [...new Set(addresses)];
}
