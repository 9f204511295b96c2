// The streamed builders against the buffered ones: streamInnerEntity must yield the bytes of
// buildInnerEntity for the same content (boundaries aside), and an armored ciphertext written
// between the head and tail of buildEncryptedMessageFrame must give buildEncryptedMessage.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import {
  armorLineBreaks,
  buildEncryptedMessage,
  buildEncryptedMessageFrame,
  buildInnerEntity,
  parseEntity,
  streamInnerEntity,
  type StreamedEntityInput,
} from '../src/index.ts';
import { ARMORED_CIPHERTEXT, HEADERS, outerHeaders } from './fixtures.ts';

const folder = mkdtempSync(path.join(os.tmpdir(), 'sealpost-build-streamed-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** Writes `content` to a new file and returns it as a file attachment. */
function fileAttachment(name: string, content: Uint8Array) {
  const file = path.join(folder, name);
  writeFileSync(file, content);
  return {
    filename: name,
    contentType: 'application/octet-stream',
    path: file,
    size: content.length,
  };
}

async function collect(input: StreamedEntityInput): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of streamInnerEntity(input)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Replaces every boundary, so two entities built with different random ones compare equal. */
function withoutBoundaries(entity: Uint8Array): string {
  const text = Buffer.from(entity).toString('latin1');
  return text.replace(/sealpost-[A-Za-z0-9_-]+/g, 'BOUNDARY');
}

describe('streamInnerEntity', () => {
  // Lengths around the 57-byte line and the read chunk (57 * 18,396 bytes) test line breaks.
  const lengths = [0, 1, 56, 57, 58, 57 * 18_396 - 1, 57 * 18_396, 57 * 18_396 + 1, 2_500_000];

  for (const length of lengths) {
    it(`equals buildInnerEntity for ${length} bytes`, async () => {
      const content = randomBytes(length);
      const small = { filename: 'note.txt', contentType: 'text/plain', content: Buffer.from('hi') };
      const streamed = await collect({
        headers: HEADERS,
        text: 'See the attachments.\n',
        attachments: [small, fileAttachment(`file-${length}.bin`, content)],
        gossip: [],
      });
      const buffered = buildInnerEntity({
        headers: HEADERS,
        text: 'See the attachments.\n',
        attachments: [
          small,
          { filename: `file-${length}.bin`, contentType: 'application/octet-stream', content },
        ],
        gossip: [],
      });

      expect(withoutBoundaries(streamed)).toBe(withoutBoundaries(buffered));
      const parsed = parseEntity(streamed);
      expect(parsed.attachments).toHaveLength(2);
      expect(Buffer.from(parsed.attachments[1]!.content).equals(content)).toBe(true);
    });
  }

  it('equals buildInnerEntity without attachments', async () => {
    const input = { headers: HEADERS, text: 'Only text.\n', attachments: [] };
    const streamed = await collect(input);
    expect(withoutBoundaries(streamed)).toBe(withoutBoundaries(buildInnerEntity(input)));
  });

  it('rejects a file that changed length', async () => {
    const attachment = fileAttachment('changed.bin', randomBytes(1000));
    const stream = collect({
      headers: HEADERS,
      text: 'x',
      attachments: [{ ...attachment, size: 999 }],
    });
    await expect(stream).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(stream).rejects.toThrow(/changed/);
  });

  it('rejects a missing file', async () => {
    const stream = collect({
      headers: HEADERS,
      text: 'x',
      attachments: [
        {
          filename: 'gone.bin',
          contentType: 'application/octet-stream',
          path: path.join(folder, 'gone.bin'),
          size: 1,
        },
      ],
    });
    await expect(stream).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('buildEncryptedMessageFrame', () => {
  it('gives buildEncryptedMessage around the armor', async () => {
    const frame = buildEncryptedMessageFrame({ headers: outerHeaders() });
    const armor = armorLineBreaks();
    const converted: Buffer[] = [];
    armor.on('data', (chunk: Buffer) => converted.push(chunk));
    // openpgp.js writes armor with LF line breaks, in chunks that split lines anywhere.
    const lf = `${ARMORED_CIPHERTEXT.trim().replace(/\r\n/g, '\n')}\n`;
    armor.write(lf.slice(0, 7));
    armor.end(lf.slice(7));
    await new Promise((resolve) => armor.on('end', resolve));
    const streamed = Buffer.concat([frame.head, ...converted, frame.tail]);

    const buffered = buildEncryptedMessage({
      headers: outerHeaders(),
      armoredCiphertext: ARMORED_CIPHERTEXT,
    });
    expect(withoutBoundaries(streamed)).toBe(withoutBoundaries(buffered));
  });

  it('turns every LF into CRLF', async () => {
    const armor = armorLineBreaks();
    const output: Buffer[] = [];
    armor.on('data', (chunk: Buffer) => output.push(chunk));
    armor.end(Buffer.from('a\nbb\n\nc'));
    await new Promise((resolve) => armor.on('end', resolve));
    expect(Buffer.concat(output).toString()).toBe('a\r\nbb\r\n\r\nc');
  });
});
