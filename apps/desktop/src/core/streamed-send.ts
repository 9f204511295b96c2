// Builds the encrypted PGP/MIME copies of a large message as files of the outbox, without
// holding the message in memory. The inner entity is streamed with attachments read from their
// files, signed and encrypted by encryptAndSignStream, and its armor is written between the
// outer MIME head and tail of the file. The copies and headers are those of
// buildEncryptedMessages: one to To and Cc with the sender's key, one per Bcc recipient.

import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { encryptAndSignStreamWithPlan } from '@sealpost/crypto-core';
import type { EncryptionMode, UnlockedKey } from '@sealpost/crypto-core';
import {
  armorLineBreaks,
  buildEncryptedMessageFrame,
  streamInnerEntity,
  type AttachmentInput,
  type FileAttachmentInput,
} from '@sealpost/mail-transport';
import type { OutboxFiles, MessageFile } from './outbox-files.ts';
import { gossipHeaders, uniqueAddresses, type OutgoingInput } from './outgoing-messages.ts';

/** One encrypted copy in an outbox file, with the recipients it goes to. */
export interface OutgoingMessageFile {
  file: MessageFile;
  envelopeTo: string[];
}

export interface StreamedSendInput extends Omit<OutgoingInput, 'attachments' | 'signer'> {
  attachments: Array<AttachmentInput | FileAttachmentInput>;
  /** The disk key that signs inside the encryption (one-pass signature). */
  signingKey: UnlockedKey;
  mode: 'auto' | EncryptionMode;
}

/**
 * Writes the encrypted copies to files of `files` and returns them. On a failure, the files
 * already written are deleted before the error is raised.
 */
export async function buildEncryptedMessageFiles(
  input: StreamedSendInput,
  files: OutboxFiles,
): Promise<OutgoingMessageFile[]> {
  const { from, to, cc, bcc, date, messageId, autocrypt } = input;
  const headers = { from, to, cc, date, messageId };
  const visible = uniqueAddresses([...to, ...cc]);
  const gossip = await gossipHeaders(visible, input.certificateOf);

  // The sender's own key opens the copy that is stored in Sent, which is the first one.
  const writeCopy = (addresses: string[], includeSender: boolean): Promise<MessageFile> => {
    const recipientCertificates = addresses
      .filter((address) => address !== from.address)
      .map((address) => input.certificateOf(address));
    const frame = buildEncryptedMessageFrame({ headers, autocrypt });
    return files.write(async (output) => {
      await writeChunk(output, frame.head);
      const armor = armorLineBreaks();
      const encrypted = encryptAndSignStreamWithPlan({
        data: Readable.from(
          streamInnerEntity({
            headers: { ...headers, subject: input.subject },
            text: input.text,
            attachments: input.attachments,
            gossip,
          }),
          // One chunk ahead: the object-mode default of 16 would hold 16 MiB of base64 lines.
          { highWaterMark: 1 },
        ),
        output: armor,
        format: 'armored',
        recipientCertificates: includeSender
          ? [...recipientCertificates, input.certificateOf(from.address)]
          : recipientCertificates,
        signingKey: input.signingKey,
        encryptToSigner: false,
        mode: input.mode,
      });
      // TODO: check the PKESK packets of the streamed copy as buildEncryptedMessages does with
      // requireRecipientsEncryptedTo; that function reads only a whole message in memory.
      await Promise.all([encrypted, pipeline(armor, output, { end: false })]);
      await writeChunk(output, frame.tail);
      output.end();
    });
  };

  const written: OutgoingMessageFile[] = [];
  try {
    if (visible.length > 0) {
      written.push({ file: await writeCopy(visible, true), envelopeTo: visible });
    }
    for (const address of bcc) {
      written.push({
        file: await writeCopy([address], visible.length === 0),
        envelopeTo: [address],
      });
    }
  } catch (error) {
    for (const message of written) files.remove(message.file.name);
    throw error;
  }
  return written;
}

async function writeChunk(output: Writable, chunk: Uint8Array): Promise<void> {
  await new Promise<void>((resolve, reject) =>
    output.write(chunk, (error) => (error ? reject(error) : resolve())),
  );
}
