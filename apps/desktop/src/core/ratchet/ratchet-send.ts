// Sending in ratchet mode (docs/RATCHET.md, "How mail carries ratchet mode"). The inner payload
// is the same MIME entity with protected headers as in OpenPGP mode (RFC 9788), with our prekey
// bundle as a part, signed with the sender's OpenPGP key (multipart/signed, RFC 3156 section 5).
// crypto-core pads it to a size bucket and encrypts it once under a random content key, which
// each recipient's session wraps. The session advances in the transaction that queues the
// message, so a crash can never send two messages under one message key.

import type { Store } from '@sealpost/storage';
import {
  decodeSignedBundle,
  encryptAndSign,
  micalgOf,
  signDetached,
  type RatchetClient,
  type StoredSession,
  type UnlockedKey,
} from '@sealpost/crypto-core';
import {
  SUBJECT_PLACEHOLDER,
  buildEncryptedMessage,
  buildInnerEntity,
  buildPlainMessage,
  buildSignedMessage,
  signedPartBytes,
  type AttachmentInput,
  type Micalg,
} from '@sealpost/mail-transport';
import type { Logger } from 'pino';
import type { AccountRecord } from '../accounts.ts';
import type { Outbox } from '../outbox.ts';
import type { LocalRatchetKeys } from './local-keys.ts';
import { bundleAttachment, usableBundle } from './peer-bundles.ts';
import { RatchetMailError } from './ratchet-mail-error.ts';
import {
  RATCHET_CONTENT_TYPE,
  RATCHET_EXPLANATION,
  RATCHET_FILENAME,
  encodeContainer,
  recipientLabel,
} from './wire-format.ts';

export interface RatchetSendInput {
  account: AccountRecord;
  from: { address: string; name: string | null };
  /** Fingerprint of the sender's OpenPGP certificate, named in the prekey bundle. */
  fingerprint: string;
  to: string[];
  cc: string[];
  bcc: string[];
  date: Date;
  messageId: string;
  subject: string;
  text: string;
  attachments: AttachmentInput[];
  signingKey: UnlockedKey;
  autocrypt: { addr: string; preferEncrypt: 'mutual'; keydata: Uint8Array };
}

export interface RatchetSendResult {
  /** How many messages went out: one for To and Cc, one more per Bcc recipient. */
  messageCount: number;
  savedToSent: boolean;
}

interface RecipientSession extends StoredSession {
  peerAddress: string;
  created: boolean;
  generation: number | undefined;
}

interface OutgoingMessage {
  raw: Uint8Array;
  envelopeTo: string[];
  sessions: Array<{ sessionId: string; state: Uint8Array; recipient: RecipientSession }>;
}

export class RatchetSender {
  constructor(
    private readonly store: Store,
    private readonly client: () => RatchetClient,
    private readonly localKeys: LocalRatchetKeys,
    private readonly outbox: Outbox,
    private readonly log: Logger,
  ) {}

  async send(input: RatchetSendInput): Promise<RatchetSendResult> {
    const { from } = input;
    const headers = {
      from,
      to: input.to,
      cc: input.cc,
      date: input.date,
      messageId: input.messageId,
    };
    const signedBundle = await this.localKeys.currentSignedBundle(
      from.address,
      input.fingerprint,
      input.signingKey,
    );
    const innerEntity = buildInnerEntity({
      headers: { ...headers, subject: input.subject },
      text: input.text,
      attachments: [...input.attachments, bundleAttachment(signedBundle)],
    });
    const payload = await this.#signPayload(innerEntity, headers, input);

    try {
      const visible = unique([...input.to, ...input.cc]).filter((a) => a !== from.address);
      const bcc = unique(input.bcc).filter((a) => a !== from.address && !visible.includes(a));
      const messages: OutgoingMessage[] = [];
      const outer = { ...headers, subject: SUBJECT_PLACEHOLDER };
      if (visible.length > 0) {
        messages.push(await this.#seal(from.address, visible, payload, outer, input.autocrypt));
      }
      for (const address of bcc) {
        messages.push(await this.#seal(from.address, [address], payload, outer, input.autocrypt));
      }

      // The Sent copy is OpenPGP to our own key, since no ratchet session leads to ourselves. It
      // goes to Sent before sending: the outbox skips a Sent append whose Message-ID is already
      // there, so the copy stored is this readable one and not the ratchet ciphertext.
      const sentCopy = buildEncryptedMessage({
        headers,
        armoredCiphertext: await encryptAndSign({
          data: innerEntity,
          recipientCertificates: [],
          signingKey: input.signingKey,
          encryptToSigner: true,
        }),
        autocrypt: input.autocrypt,
      });
      const savedToSent = await this.outbox.appendToSent(input.account, sentCopy);

      const outboxIds = this.#advanceAndQueue(input.account, from.address, messages, input.subject);
      // NOTE: flush also sends other messages queued for this account, and a Sent copy whose
      // append failed above is replaced by the ratchet ciphertext when the outbox retries it.
      await this.outbox.flush(input.account);
      for (const id of outboxIds) {
        const entry = this.store.outbox.get(id);
        if (entry && entry.state !== 'sent') {
          throw new RatchetMailError(
            'RATCHET_SEND_FAILED',
            `Sending ratchet message ${input.messageId} failed (${entry.lastError ?? 'no error recorded'}). ` +
              'The message is kept in the outbox and is sent again at the next sync.',
            { outboxId: id },
          );
        }
      }
      this.log.info(
        { messageCount: messages.length, recipientCount: visible.length + bcc.length },
        'ratchet message sent',
      );
      return { messageCount: messages.length, savedToSent };
    } finally {
      payload.fill(0);
      innerEntity.fill(0);
    }
  }

  /** Wraps the inner entity in multipart/signed, so the receiver can check who wrote it. */
  async #signPayload(
    innerEntity: Uint8Array,
    headers: Omit<Parameters<typeof buildSignedMessage>[0]['headers'], 'subject'>,
    input: RatchetSendInput,
  ): Promise<Uint8Array> {
    const armoredSignature = await signDetached({
      data: signedPartBytes(innerEntity),
      signingKey: input.signingKey,
    });
    return buildSignedMessage({
      headers: { ...headers, subject: input.subject },
      signedEntity: innerEntity,
      armoredSignature,
      // The micalg parameter must name the hash the signature really used (RFC 3156 section 5).
      micalg: (await micalgOf(armoredSignature)) as Micalg,
    });
  }

  async #seal(
    localAddress: string,
    recipients: string[],
    payload: Uint8Array,
    headers: Parameters<typeof buildPlainMessage>[0]['headers'],
    autocrypt: RatchetSendInput['autocrypt'],
  ): Promise<OutgoingMessage> {
    const sessions: RecipientSession[] = [];
    for (const address of recipients) sessions.push(await this.#sessionFor(localAddress, address));

    const sealed = await this.client().sealForRecipients({
      recipients: sessions.map(({ sessionId, state }) => ({ sessionId, state })),
      payload,
    });
    const container = encodeContainer({
      entries: sealed.recipients.map((wrapped, index) => ({
        label: recipientLabel(sessions[index]!.peerAddress),
        wrappedKey: wrapped.wrappedKey,
      })),
      encryptedBody: sealed.encryptedBody,
    });
    const raw = buildPlainMessage({
      headers,
      text: RATCHET_EXPLANATION,
      attachments: [
        { filename: RATCHET_FILENAME, contentType: RATCHET_CONTENT_TYPE, content: container },
      ],
      autocrypt,
    });
    return {
      raw,
      envelopeTo: recipients,
      sessions: sealed.recipients.map((wrapped, index) => ({
        sessionId: wrapped.sessionId,
        state: wrapped.state,
        recipient: sessions[index]!,
      })),
    };
  }

  /** Returns the active session with `address`, or starts one from its verified bundle. */
  async #sessionFor(localAddress: string, address: string): Promise<RecipientSession> {
    const active = this.store.ratchetSessions
      .listForPeer(localAddress, address)
      .find((session) => session.active);
    if (active) {
      return {
        sessionId: active.id,
        state: active.state,
        peerAddress: address,
        created: false,
        generation: active.generation,
      };
    }
    const pinned = this.store.contacts.getPinned(address);
    const bundle = usableBundle(this.store, address, pinned?.fingerprint ?? null, new Date());
    if (!bundle) {
      throw new RatchetMailError(
        'RATCHET_SESSION_MISSING',
        `There is no ratchet session with ${address} and no valid prekey bundle of theirs; ` +
          'send in OpenPGP mode with "sealpost send --openpgp" until they write to you.',
      );
    }
    const started = await this.client().startSession({
      identityKey: await this.localKeys.identityKey(localAddress),
      bundleBytes: decodeSignedBundle(bundle.signedBundle).bundleBytes,
      now: Date.now(),
    });
    return { ...started, peerAddress: address, created: true, generation: undefined };
  }

  /** Advances every session and queues every message in one transaction; returns the outbox ids. */
  #advanceAndQueue(
    account: AccountRecord,
    localAddress: string,
    messages: OutgoingMessage[],
    subject: string,
  ): number[] {
    return this.store.transaction('queue a ratchet message', () => {
      for (const message of messages) {
        for (const { sessionId, state, recipient } of message.sessions) {
          this.store.ratchetSessions.advance(sessionId, state, () => undefined, {
            ...(recipient.created
              ? { create: { localAddress, peerAddress: recipient.peerAddress } }
              : { expectedGeneration: recipient.generation! }),
            activate: true,
          });
        }
      }
      return messages.map(
        (message) =>
          this.store.outbox.enqueue({
            accountId: account.id,
            raw: message.raw,
            envelopeFrom: localAddress,
            envelopeTo: message.envelopeTo,
            subject,
          }).id,
      );
    });
  }
}

function unique(addresses: string[]): string[] {
  return [...new Set(addresses.map((address) => address.toLowerCase()))];
}
