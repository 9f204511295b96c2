// Compose-and-send pipeline: picks the mode for the whole recipient set, builds the PGP/MIME
// message with protected headers and an Autocrypt header, stores it in the outbox, sends it,
// and appends the sender's copy to Sent. Bcc recipients get their own encrypted copy, so
// neither the headers nor the key IDs in the ciphertext reveal them to the others.

import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Store } from '@sealpost/storage';
import { certificateToBinary } from '@sealpost/crypto-core';
import type { UnlockedKey } from '@sealpost/crypto-core';
import type { AttachmentInput, FileAttachmentInput } from '@sealpost/mail-transport';
import {
  attachmentFileBytes,
  readAttachmentFiles,
  STREAMED_SEND_MIN_BYTES,
} from './attachment-files.ts';
import { buildEncryptedMessageFiles } from './streamed-send.ts';
import { checkMessageSize } from './message-size.ts';
import type { AccountService, AccountRecord } from './accounts.ts';
import { normalizeAddress } from './addresses.ts';
import { CoreError } from './errors.ts';
import type { ContactService } from './contacts.ts';
import type { KeyService } from './keys.ts';
import { negotiate, recordNegotiation, type Negotiation } from './negotiation.ts';
import type { Outbox } from './outbox.ts';
import type { RatchetMail } from './ratchet/ratchet-mail.ts';
import { rejectRevokedOwnKey, rejectRevokedRecipients } from './revocation.ts';
import {
  PENDING_REVOCATION_REASON,
  pendingRevocationWarning,
  revocationNotice,
} from './revocation-notice.ts';
import type { CardService } from './hardware/card-service.ts';
import { cardEncryptionMode, cardMessageSigner } from './hardware/card-send.ts';
import {
  buildEncryptedMessages,
  buildSignedOnlyMessage,
  diskKeySigner,
  type MessageSigner,
  type OutgoingInput,
  uniqueAddresses,
} from './outgoing-messages.ts';

export interface SendInput {
  from: string | null;
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string;
  text: string;
  attachments: AttachmentInput[];
  /**
   * Attachments read from their files, after `attachments`. From STREAMED_SEND_MIN_BYTES on,
   * an OpenPGP-mode message is built from them as a stream into an outbox file.
   */
  attachmentFiles?: FileAttachmentInput[];
  allowPlaintext: boolean;
  /** Send in OpenPGP mode even where ratchet mode is ready. Default false. */
  openpgp?: boolean;
  /** Time for the due-rotation check of own keys; defaults to now. */
  now?: Date;
}

export type { SendMode } from './negotiation.ts';
import type { SendMode } from './negotiation.ts';

export interface SendResult {
  mode: SendMode;
  /** Whether every recipient got the message through an ML-KEM-768+X25519 subkey only. */
  postQuantum: boolean;
  /** Reason for the chosen mode, in words for the user. */
  modeReason: string;
  /** Recipients without a known key, which made the whole message go unencrypted. */
  unencryptedFor: string[];
  messageId: string;
  recipients: string[];
  /** Recipients the SMTP server refused; the others received the message. */
  rejectedRecipients: string[];
  savedToSent: boolean;
  /** Downgrade and key-change warnings shown before sending, stored with the message. */
  warnings: string[];
}

interface Negotiated {
  mode: SendMode;
  postQuantum: boolean;
  encryption: 'pq' | 'classical';
  missing: string[];
  reason: string;
  negotiation: Negotiation;
}

interface Composition {
  account: AccountRecord;
  from: { address: string; name: string | null };
  to: string[];
  cc: string[];
  bcc: string[];
  date: Date;
  messageId: string;
}

export class SendService {
  constructor(
    private readonly store: Store,
    private readonly accounts: AccountService,
    private readonly keys: KeyService,
    private readonly contacts: ContactService,
    private readonly outbox: Outbox,
    private readonly log: Logger,
    private readonly ratchet: RatchetMail | null = null,
    private readonly cards: CardService | null = null,
  ) {}

  async send(input: SendInput): Promise<SendResult> {
    const composition = this.#compose(input);
    const { account, from } = composition;
    const recipients = uniqueAddresses([...composition.to, ...composition.cc, ...composition.bcc]);

    // A revoked, not yet replaced key fails here, before anything is built or queued.
    await rejectRevokedOwnKey(this.store, from.address);
    await this.keys.rotateDueOnce(input.now);
    await rejectRevokedRecipients((address) => this.store.contacts.getPinned(address), recipients);
    const revocationWarning = pendingRevocationWarning(this.store, from.address, recipients);
    const negotiated = await this.#negotiate(
      from.address,
      recipients,
      input.allowPlaintext,
      input.openpgp === true || revocationWarning !== null,
      input.openpgp === true ? undefined : PENDING_REVOCATION_REASON,
    );
    if (revocationWarning && negotiated.mode === 'openpgp') {
      negotiated.negotiation.warnings.push(revocationWarning);
    }
    const { mode } = negotiated;
    await checkMessageSize(this.accounts.smtpServer(account), input, mode);
    const streamed = this.#streams(input, mode, from.address);
    if (!streamed) input = await withFilesRead(input);

    // With the key on an OpenPGP card, the card signs and no secret key is unlocked here.
    const cards = this.cards?.binding(from.address) ? this.cards : null;
    const signingKey = cards ? null : await this.keys.unlock(from.address);
    try {
      const ownCertificate = this.keys.exportCertificate(from.address);
      const autocrypt = {
        addr: from.address,
        preferEncrypt: 'mutual' as const,
        keydata: await certificateToBinary(ownCertificate),
      };
      if (mode === 'ratchet') {
        // negotiate() picks OpenPGP mode for a key on a card, so this guard only fails closed.
        if (!signingKey) throw cardRatchetError(from.address);
        return await this.#sendRatchet(composition, input, signingKey, autocrypt, negotiated);
      }
      const signer: MessageSigner = cards
        ? cardMessageSigner(cards, from.address)
        : diskKeySigner(signingKey!);
      const outgoing: OutgoingInput = {
        ...composition,
        subject: input.subject,
        text: input.text,
        attachments: input.attachments,
        autocrypt,
        signer,
        certificateOf: (address) =>
          address === from.address ? ownCertificate : this.contacts.certificatesFor([address])[0]!,
      };
      // After a key replacement, the revoked certificate rides along until each recipient had it.
      const notice =
        mode === 'openpgp' ? revocationNotice(this.store, from.address, recipients) : null;
      if (streamed) {
        return await this.#sendStreamed(
          composition,
          input,
          signingKey!,
          outgoing,
          negotiated,
          notice,
        );
      }
      const messages =
        mode === 'openpgp'
          ? await buildEncryptedMessages({
              ...outgoing,
              text: notice ? input.text + notice.text : input.text,
              // Our prekey bundle rides along, so the recipients can reply in ratchet mode.
              attachments:
                this.ratchet && signingKey
                  ? [
                      ...input.attachments,
                      ...(notice?.attachments ?? []),
                      await this.ratchet.bundlePart(from.address, signingKey),
                    ]
                  : [...input.attachments, ...(notice?.attachments ?? [])],
              mode: cards ? cardEncryptionMode(negotiated.encryption) : negotiated.encryption,
            })
          : [await buildSignedOnlyMessage(outgoing)];

      const rejectedRecipients: string[] = [];
      for (const message of messages) {
        const envelope = { from: from.address, to: message.envelopeTo };
        rejectedRecipients.push(
          ...(await this.outbox.enqueueAndSend(account, envelope, message.raw, input.subject)),
        );
      }
      notice?.markDelivered(recipients.filter((address) => !rejectedRecipients.includes(address)));
      recordNegotiation(this.store, composition.messageId, negotiated.negotiation);
      const savedToSent = await this.outbox.appendToSent(account, messages[0]!.raw);
      this.log.info(
        { mode, recipientCount: recipients.length, messageCount: messages.length },
        'message sent',
      );
      return sentResult(mode, negotiated, {
        messageId: composition.messageId,
        recipients,
        rejectedRecipients,
        savedToSent,
      });
    } finally {
      signingKey?.clear();
    }
  }

  /** Applies the shared negotiation rule (negotiation.ts) to the whole recipient set. */
  async #negotiate(
    from: string,
    recipients: string[],
    allowPlaintext: boolean,
    forceOpenpgp: boolean,
    forceOpenpgpReason?: string,
  ): Promise<Negotiated> {
    const negotiation = await negotiate(
      { store: this.store, contacts: this.contacts, keys: this.keys },
      { from, recipients, allowPlaintext, forceOpenpgp, forceOpenpgpReason },
    );
    return {
      mode: negotiation.mode,
      postQuantum: negotiation.postQuantum,
      encryption: negotiation.encryption ?? 'classical',
      missing: negotiation.missing,
      reason: negotiation.reason,
      negotiation,
    };
  }

  /** Sends in ratchet mode (ratchet/ratchet-send.ts) and records the negotiation. */
  async #sendRatchet(
    composition: Composition,
    input: SendInput,
    signingKey: UnlockedKey,
    autocrypt: { addr: string; preferEncrypt: 'mutual'; keydata: Uint8Array },
    negotiated: Negotiated,
  ): Promise<SendResult> {
    if (!this.ratchet) {
      throw new CoreError('INVALID_ARGUMENT', 'Ratchet mode was chosen, but it is not set up.');
    }
    const { account, from, to, cc, bcc, date, messageId } = composition;
    const sent = await this.ratchet.send({
      account,
      from,
      to,
      cc,
      bcc,
      date,
      messageId,
      subject: input.subject,
      text: input.text,
      attachments: input.attachments,
      signingKey,
      autocrypt,
    });
    recordNegotiation(this.store, messageId, negotiated.negotiation);
    return {
      mode: 'ratchet',
      postQuantum: true,
      modeReason: negotiated.reason,
      unencryptedFor: [],
      messageId,
      recipients: uniqueAddresses([...to, ...cc, ...bcc]),
      // NOTE: the outbox reports a failed send as a whole, so refused recipients are not listed.
      rejectedRecipients: [],
      savedToSent: sent.savedToSent,
      warnings: negotiated.negotiation.warnings,
    };
  }

  /**
   * Returns true when the message is built as a stream into outbox files: OpenPGP mode, a disk
   * key (a card signs only a digest of a whole payload) and large file attachments.
   */
  #streams(input: SendInput, mode: SendMode, from: string): boolean {
    return (
      mode === 'openpgp' &&
      this.outbox.files !== null &&
      !this.cards?.binding(from) &&
      attachmentFileBytes(input.attachmentFiles) >= STREAMED_SEND_MIN_BYTES
    );
  }

  /** Sends in OpenPGP mode through outbox files (streamed-send.ts); returns as send does. */
  async #sendStreamed(
    composition: Composition,
    input: SendInput,
    signingKey: UnlockedKey,
    outgoing: OutgoingInput,
    negotiated: Negotiated,
    notice: ReturnType<typeof revocationNotice>,
  ): Promise<SendResult> {
    const { account, from } = composition;
    const recipients = uniqueAddresses([...composition.to, ...composition.cc, ...composition.bcc]);
    const extra = [...(notice?.attachments ?? [])];
    // Our prekey bundle rides along, so the recipients can reply in ratchet mode.
    if (this.ratchet) extra.push(await this.ratchet.bundlePart(from.address, signingKey));
    const messages = await buildEncryptedMessageFiles(
      {
        ...outgoing,
        text: notice ? input.text + notice.text : input.text,
        attachments: [...input.attachments, ...(input.attachmentFiles ?? []), ...extra],
        signingKey,
        mode: negotiated.encryption,
      },
      this.outbox.files!,
    );

    const rejectedRecipients: string[] = [];
    let firstEntryId: number | null = null;
    for (const message of messages) {
      const envelope = { from: from.address, to: message.envelopeTo };
      rejectedRecipients.push(
        ...(await this.outbox.enqueueFileAndSend(account, envelope, message.file, input.subject)),
      );
      firstEntryId ??= this.outbox.lastEnqueued()!.id;
    }
    notice?.markDelivered(recipients.filter((address) => !rejectedRecipients.includes(address)));
    recordNegotiation(this.store, composition.messageId, negotiated.negotiation);
    // The outbox removes an entry once its Sent copy is stored, and its file with it.
    const first = this.store.outbox.get(firstEntryId!);
    const savedToSent =
      first === null || (await this.outbox.appendToSent(account, first.raw, first.file));
    this.log.info(
      { mode: 'openpgp', recipientCount: recipients.length, messageCount: messages.length },
      'message sent from outbox files',
    );
    return sentResult('openpgp', negotiated, {
      messageId: composition.messageId,
      recipients,
      rejectedRecipients,
      savedToSent,
    });
  }

  #compose(input: SendInput): Composition {
    // A line break would end the header field early (RFC 5322 section 2.2), so it is refused.
    if (/[\r\n]/.test(input.subject)) {
      throw new CoreError(
        'INVALID_ARGUMENT',
        'The subject contains a line break; write the subject on one line.',
      );
    }
    const account = this.accounts.resolve(input.from);
    const to = input.to.map((address) => normalizeAddress(address, '--to'));
    const cc = input.cc.map((address) => normalizeAddress(address, '--cc'));
    const bcc = input.bcc.map((address) => normalizeAddress(address, '--bcc'));
    const domain = account.email.split('@')[1]!;
    return {
      account,
      from: { address: account.email, name: account.displayName },
      to,
      cc,
      bcc,
      date: new Date(),
      messageId: `<${randomBytes(16).toString('hex')}@${domain}>`,
    };
  }
}

/** Returns `input` with its file attachments read into `attachments`. */
async function withFilesRead(input: SendInput): Promise<SendInput> {
  if (!input.attachmentFiles?.length) return input;
  const read = await readAttachmentFiles(input.attachmentFiles);
  return { ...input, attachments: [...input.attachments, ...read], attachmentFiles: [] };
}

/** Returns the result of a send in OpenPGP or plaintext mode, as the negotiation chose it. */
function sentResult(
  mode: SendMode,
  negotiated: Negotiated,
  delivery: Pick<SendResult, 'messageId' | 'recipients' | 'rejectedRecipients' | 'savedToSent'>,
): SendResult {
  return {
    mode,
    postQuantum: negotiated.postQuantum,
    modeReason: negotiated.reason,
    unencryptedFor: negotiated.missing,
    ...delivery,
    warnings: negotiated.negotiation.warnings,
  };
}

function cardRatchetError(address: string): CoreError {
  return new CoreError(
    'KEY_UNUSABLE',
    `The key of ${address} is on an OpenPGP card, and ratchet mode signs prekey bundles with the disk key, so nothing was sent. Send again to use OpenPGP mode, or, if a disk copy exists, stop using the card with "sealpost card forget --address ${address}".`,
  );
}
