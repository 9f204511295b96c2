// Unit test of the fields sync stores with a body: the kind and header fields that
// messageFields reads without a full parse must equal what the full parse yields.

import { describe, expect, it } from 'vitest';
import { buildPlainMessage, parseMessage, type AttachmentInput } from '@sealpost/mail-transport';

import { isRatchetMessage } from '../../src/core/message-kind.ts';
import {
  RATCHET_CONTENT_TYPE,
  RATCHET_EXPLANATION,
  RATCHET_FILENAME,
} from '../../src/core/ratchet/wire-format.ts';
import { messageFields, storedKind } from '../../src/core/sync/header-fields.ts';

const RATCHET_PART: AttachmentInput = {
  filename: RATCHET_FILENAME,
  contentType: RATCHET_CONTENT_TYPE,
  content: new Uint8Array([1, 2, 3, 4]),
};

function build(attachments: AttachmentInput[]): Uint8Array {
  return buildPlainMessage({
    headers: {
      from: { address: 'Alice@Sealpost.test', name: 'Alice' },
      to: ['bob@sealpost.test'],
      date: new Date('2026-01-02T03:04:05Z'),
      messageId: '<fields-1@sealpost.test>',
      subject: 'Quarterly report',
    },
    text: RATCHET_EXPLANATION,
    attachments,
    autocrypt: { addr: 'alice@sealpost.test', keydata: new Uint8Array([9, 9, 9]) },
  });
}

/** Returns the kind that the full parse and isRatchetMessage give, as sync stored it before. */
function fullParseKind(raw: Uint8Array): string {
  const parsed = parseMessage(raw);
  return isRatchetMessage(parsed) ? 'ratchet' : storedKind(parsed.kind);
}

describe('messageFields', () => {
  it('stores a single ratchet part as ratchet', () => {
    const raw = build([RATCHET_PART]);

    expect(messageFields(raw).fields.kind).toBe('ratchet');
    expect(fullParseKind(raw)).toBe('ratchet');
  });

  it('stores two ratchet parts as plain', () => {
    const raw = build([RATCHET_PART, RATCHET_PART]);

    expect(messageFields(raw).fields.kind).toBe('plain');
    expect(fullParseKind(raw)).toBe('plain');
  });

  it('stores other attachments as plain', () => {
    const raw = build([
      { filename: 'a.pdf', contentType: 'application/pdf', content: RATCHET_PART.content },
    ]);

    expect(messageFields(raw).fields.kind).toBe('plain');
    expect(fullParseKind(raw)).toBe('plain');
  });

  it('reads header fields as the full parse does', () => {
    const raw = build([RATCHET_PART]);
    const parsed = parseMessage(raw);
    const { fields, classified } = messageFields(raw);

    expect(fields.messageId).toBe('<fields-1@sealpost.test>');
    expect(fields.fromAddress).toBe('alice@sealpost.test');
    expect(fields.subject).toBe('Quarterly report');
    expect(fields.date).toEqual(new Date('2026-01-02T03:04:05Z'));
    expect(classified?.headers).toEqual(parsed.headers);
    expect(classified?.autocryptHeaders).toEqual(parsed.autocryptHeaders);
    expect(classified?.autocryptHeaders).toHaveLength(1);
  });

  it('stores unparsable bytes as malformed', () => {
    const { fields, classified } = messageFields(new TextEncoder().encode('\u0000 not mail'));

    expect(fields.kind).toBe('malformed');
    expect(classified).toBeNull();
  });
});
