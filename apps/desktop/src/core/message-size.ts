// Checks a message against the SMTP server's SIZE limit (RFC 1870) before it is encrypted, so
// a message the server would refuse fails in seconds instead of after minutes of encryption.
// The size is an estimate from the input: each base64 layer adds a third (MIME attachments,
// then the ASCII armor or the base64 ratchet part), and the estimate leaves headers out.

import type { AttachmentInput, FileAttachmentInput, SmtpServer } from '@sealpost/mail-transport';
import { smtpMaxMessageSize } from '@sealpost/mail-transport';
import { RATCHET_MAX_PAYLOAD_LENGTH } from '@sealpost/crypto-core';
import { CoreError } from './errors.ts';
import type { SendMode } from './negotiation.ts';

/**
 * Estimates below this skip the SIZE check and its extra connection. NOTE: a server with a
 * SIZE limit under 1 MiB then rejects the message only after encryption, at DATA.
 */
export const SIZE_CHECK_THRESHOLD_BYTES = 1024 * 1024;

/** The parts of a message that its size depends on. */
export interface MessageContent {
  text: string;
  attachments: AttachmentInput[];
  attachmentFiles?: FileAttachmentInput[];
}

/** Returns the estimated size in bytes of the message as it goes over SMTP. */
export function estimateMessageSize(input: MessageContent, mode: SendMode): number {
  const payload =
    Buffer.byteLength(input.text, 'utf8') +
    input.attachments.reduce((sum, attachment) => sum + attachment.content.length, 0) +
    (input.attachmentFiles ?? []).reduce((sum, file) => sum + file.size, 0);
  const mime = Math.ceil((payload * 4) / 3);
  return mode === 'signed-plaintext' ? mime : Math.ceil((mime * 4) / 3);
}

/**
 * Raises MESSAGE_TOO_LARGE when the estimated size exceeds the SIZE limit the server
 * announces, or the ratchet payload limit in ratchet mode. Messages under
 * SIZE_CHECK_THRESHOLD_BYTES are not checked against the server.
 */
export async function checkMessageSize(
  server: SmtpServer,
  input: MessageContent,
  mode: SendMode,
): Promise<void> {
  const estimate = estimateMessageSize(input, mode);
  if (estimate >= SIZE_CHECK_THRESHOLD_BYTES) {
    const limit = await smtpMaxMessageSize(server);
    if (limit !== null && estimate > limit) {
      throw new CoreError(
        'MESSAGE_TOO_LARGE',
        `The message would be about ${formatBytes(estimate)} (${estimate} bytes) after encoding, but ` +
          `${server.host} accepts at most ${formatBytes(limit)} (${limit} bytes, its SMTP SIZE limit). ` +
          'Nothing was sent; remove or shrink attachments, or share large files another way.',
      );
    }
  }

  // The ratchet payload is the MIME entity before encryption, with one base64 layer.
  const ratchetPayload = estimateMessageSize(input, 'signed-plaintext');
  if (mode === 'ratchet' && ratchetPayload > RATCHET_MAX_PAYLOAD_LENGTH) {
    throw new CoreError(
      'MESSAGE_TOO_LARGE',
      `The message would be about ${formatBytes(ratchetPayload)} before encryption, but ratchet ` +
        `mode carries at most ${formatBytes(RATCHET_MAX_PAYLOAD_LENGTH)}. Nothing was sent; send ` +
        'it in OpenPGP mode with "sealpost send --openpgp", or shrink the attachments.',
    );
  }
}

function formatBytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}
