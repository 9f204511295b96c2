// Composer contents for a reply or a forward of an opened message. A reply quotes the text
// with "> " under an attribution line. A forward puts the original headers and text under a
// "Forwarded message" line and carries the decrypted attachments. Core encrypts them again for
// the new recipients when the forward is sent.

import type { DraftContent, MessageView } from '../../api/types.ts';
import type { MailApiClient } from '../api-client.ts';

export type ComposerInitial = Partial<DraftContent> & { draftId?: string };

/** Returns the message's plain text, or the text of its HTML part when it has no plain text. */
function plainTextOf(message: MessageView): string {
  if (message.text !== null) return message.text;
  if (message.html === null) return '';
  // DOMParser builds an inert document: it runs no scripts and loads no resources.
  return new DOMParser().parseFromString(message.html, 'text/html').body.textContent ?? '';
}

export function replyDraft(message: MessageView): ComposerInitial {
  const subject = message.subject ?? '';
  return {
    to: message.from ? [message.from] : [],
    subject: /^re:/i.test(subject) ? subject : `Re: ${subject}`,
    text: `\n\n${message.from ?? 'The sender'} wrote:\n${plainTextOf(message)
      .split('\n')
      .map((line) => `> ${line}`)
      .join('\n')}`,
  };
}

/** Builds a forward of the message, fetching each of its attachments through core. */
export async function forwardDraft(
  client: MailApiClient,
  message: MessageView,
): Promise<ComposerInitial> {
  const subject = message.subject ?? '';
  const attachments = [];
  for (const attachment of message.attachments) {
    attachments.push(
      await client.call('mail:attachment', { id: message.id, index: attachment.index }),
    );
  }
  const header = [
    '---------- Forwarded message ----------',
    `From: ${message.from ?? '-'}`,
    `Date: ${message.date ? new Date(message.date).toUTCString() : '-'}`,
    `Subject: ${subject}`,
    `To: ${message.to.join(', ') || '-'}`,
    ...(message.cc.length > 0 ? [`Cc: ${message.cc.join(', ')}`] : []),
  ];
  return {
    to: [],
    subject: /^fwd?:/i.test(subject) ? subject : `Fwd: ${subject}`,
    text: `\n\n${header.join('\n')}\n\n${plainTextOf(message)}`,
    attachments,
  };
}
