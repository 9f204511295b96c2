// parseEntityStream against parseEntity and parseMessage on the same bytes: nested multiparts,
// multipart/alternative ordering, base64, quoted-printable and binary attachments, RFC 2231
// file names, chunk boundaries at every offset, limits, truncated input and signed parts.

import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';

import {
  parseEntity,
  parseEntityStream,
  parseMessage,
  TransportError,
  type AttachmentSink,
  type ParsedEntity,
  type StreamedEntity,
  type StreamParseLimits,
} from '../src/index.ts';
import { ARMORED_SIGNATURE } from './fixtures.ts';

const crlf = (lines: string[]): Buffer => Buffer.from(lines.join('\r\n'), 'latin1');

/** Base64 with 76-character lines, as mail clients write it. */
function base64Lines(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64').replace(/.{76}/g, '$&\r\n').trimEnd();
}

const ATTACHMENT = randomBytes(3000);

const NESTED = crlf([
  'From: Alice <alice@sealpost.test>',
  'To: bob@sealpost.test',
  'Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=',
  'Autocrypt-Gossip: addr=carol@sealpost.test; keydata=AAAA',
  'Content-Type: multipart/mixed; boundary="outer"',
  '',
  'preamble text',
  '--outer',
  'Content-Type: multipart/alternative; boundary=alt',
  '',
  '--alt',
  'Content-Type: text/plain; charset=utf-8',
  'Content-Transfer-Encoding: quoted-printable',
  '',
  'Hall=C3=B6 Bob,  ',
  'a soft=',
  ' break and =3D sign.',
  '--alt',
  'Content-Type: text/html; charset=utf-8',
  '',
  '<p>Hallo Bob</p>',
  '--alt--',
  'epilogue of alt',
  '--outer',
  'Content-Type: application/octet-stream',
  "Content-Disposition: attachment; filename*=utf-8''R%C3%A9sum%C3%A9.bin",
  'Content-Transfer-Encoding: base64',
  '',
  base64Lines(ATTACHMENT),
  '--outer',
  'Content-Type: text/plain; name="notes.txt"',
  'Content-Disposition: attachment',
  'Content-Transfer-Encoding: quoted-printable',
  '',
  'line one=20  ',
  'soft=',
  'joined =E2=82=AC and a literal =ZZ and a==',
  '41 end=',
  '--outer',
  'Content-Type: image/png',
  'Content-Disposition: inline; filename="dot.png"',
  'Content-Transfer-Encoding: binary',
  '',
  'PNG\u0089\u0000\r\nbinary\rbytes',
  '--outer--',
  'epilogue',
  '',
]);

/** Alternative with a nested multipart before its own text, and a second HTML part. */
const ALTERNATIVE_ORDER = crlf([
  'Content-Type: multipart/mixed; boundary=m',
  'Subject: inner',
  '',
  '--m',
  'Content-Type: text/html',
  '',
  '<p>first html</p>',
  '--m',
  'Content-Type: multipart/alternative; boundary=a',
  '',
  '--a',
  'Content-Type: multipart/related; boundary=r',
  '',
  '--r',
  'Content-Type: text/plain',
  '',
  'nested text',
  '--r',
  'Content-Type: text/html',
  '',
  '<p>nested html</p>',
  '--r',
  'Content-Type: image/gif',
  'Content-Transfer-Encoding: base64',
  '',
  'R0lGODlhAQABAAAAACw=',
  '--r--',
  '--a',
  'Content-Type: text/plain',
  '',
  'first alternative',
  '--a',
  'Content-Type: application/pdf',
  '',
  'dropped: not text and not multipart',
  '--a',
  'Content-Type: text/plain',
  'Content-Disposition: attachment',
  '',
  'last alternative',
  '--a--',
  '--m',
  'Content-Type: text/html',
  '',
  '<p>third html becomes an attachment</p>',
  '--m--',
]);

const PROTECTED = crlf([
  'Content-Type: multipart/mixed; boundary="hp"; hp="cipher"',
  'From: alice@sealpost.test',
  'Subject: Real subject',
  '',
  '--hp',
  'Content-Type: text/plain; hp-legacy-display="1"',
  '',
  'Subject: Real subject',
  '--hp',
  'Content-Type: text/plain',
  '',
  'Body',
  '--hp--',
]);

const DIGEST = crlf([
  'Content-Type: multipart/digest; boundary=d',
  'Subject: digest',
  '',
  '--d',
  '',
  'From: x@sealpost.test',
  'Subject: one',
  '',
  'first',
  '--d',
  'Content-Type: message/rfc822',
  '',
  'Subject: two',
  '',
  'second',
  '--d--',
]);

const MBOX = Buffer.concat([
  Buffer.from('From alice@sealpost.test Sat Dec  5 09:00:00 2026\n'),
  NESTED,
]);

/** A message with LF line breaks only, a missing close-delimiter and a header ended by a body line. */
const LOOSE = Buffer.from(
  [
    'Subject: loose',
    'Content-Type: multipart/mixed; boundary=l',
    '',
    '--l',
    'Content-Type: text/plain',
    'this line is not a field, so the body starts here',
    'second line',
    '--l  ',
    'Content-Type: application/octet-stream',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    'tail without close=',
  ].join('\n'),
  'latin1',
);

const FIXTURES: Record<string, Buffer> = {
  nested: NESTED,
  'alternative order': ALTERNATIVE_ORDER,
  'protected headers': PROTECTED,
  digest: DIGEST,
  'mbox line': MBOX,
  'loose syntax': LOOSE,
};

/** Stream parse with sinks that collect into memory; `chunks` are the split points. */
async function parseStreamed(
  bytes: Uint8Array,
  splits: number[],
  limits?: Partial<StreamParseLimits>,
): Promise<{
  entity: StreamedEntity<Buffer> | null;
  reason: string | null;
  sinks: number;
  aborted: number;
}> {
  let sinks = 0;
  let aborted = 0;
  const openSink = async (): Promise<AttachmentSink<Buffer>> => {
    sinks += 1;
    const parts: Buffer[] = [];
    return {
      write: async (chunk) => void parts.push(Buffer.from(chunk)),
      end: async () => Buffer.concat(parts),
      abort: async () => void (aborted += 1),
    };
  };
  async function* source(): AsyncGenerator<Uint8Array> {
    let start = 0;
    for (const split of [...splits, bytes.length]) {
      if (split > start) yield bytes.slice(start, split);
      start = Math.max(start, split);
    }
  }
  const result = await parseEntityStream(source(), { openSink, ...(limits ? { limits } : {}) });
  if (result.kind === 'entity') return { entity: result.entity, reason: null, sinks, aborted };
  return { entity: null, reason: result.reason, sinks, aborted };
}

/** Returns the fields to compare, with each attachment's bytes as hex. */
function comparable(entity: ParsedEntity | StreamedEntity<Buffer>) {
  return {
    headers: entity.headers,
    protectedHeaders: entity.protectedHeaders,
    text: entity.text,
    html: entity.html,
    gossipHeaders: entity.gossipHeaders,
    attachments: entity.attachments.map((attachment) => {
      const stored = 'stored' in attachment ? attachment.stored : null;
      const content = attachment.content ?? stored;
      return {
        filename: attachment.filename,
        contentType: attachment.contentType,
        size: attachment.size,
        hex: Buffer.from(content!).toString('hex'),
      };
    }),
  };
}

function errorOf(run: () => unknown): TransportError | null {
  try {
    run();
    return null;
  } catch (error) {
    if (error instanceof TransportError) return error;
    throw error;
  }
}

async function streamErrorOf(promise: Promise<unknown>): Promise<TransportError | null> {
  try {
    await promise;
    return null;
  } catch (error) {
    if (error instanceof TransportError) return error;
    throw error;
  }
}

const SMALL_LIMITS = { maxInMemoryAttachmentBytes: 8 };

describe('parseEntityStream', () => {
  for (const [name, bytes] of Object.entries(FIXTURES)) {
    it(`matches parseEntity: ${name}`, async () => {
      const expected = comparable(parseEntity(bytes));
      const { entity } = await parseStreamed(bytes, []);
      expect(comparable(entity!)).toEqual(expected);
      const small = await parseStreamed(bytes, [], SMALL_LIMITS);
      expect(comparable(small.entity!)).toEqual(expected);
    });
  }

  it('matches parseMessage text and attachments', async () => {
    const body = parseMessage(NESTED).body!;
    const { entity } = await parseStreamed(NESTED, [], SMALL_LIMITS);
    expect(entity!.text).toBe(body.text);
    expect(entity!.html).toBe(body.html);
    expect(comparable(entity!).attachments).toEqual(comparable(body).attachments);
    expect(entity!.text).toContain('Hallö Bob,\na soft break and = sign.');
    expect(entity!.attachments.map((attachment) => attachment.filename)).toEqual([
      'Résumé.bin',
      'notes.txt',
      'dot.png',
    ]);
  });

  it('stores large attachments in sinks', async () => {
    const { entity, sinks } = await parseStreamed(NESTED, [], SMALL_LIMITS);
    expect(sinks).toBe(3);
    const resume = entity!.attachments[0]!;
    expect(resume.content).toBeNull();
    expect(resume.stored!.equals(ATTACHMENT)).toBe(true);
    expect(resume.size).toBe(ATTACHMENT.length);

    const defaults = await parseStreamed(NESTED, []);
    expect(defaults.sinks).toBe(0);
    expect(Buffer.from(defaults.entity!.attachments[0]!.content!).equals(ATTACHMENT)).toBe(true);
  });

  for (const [name, bytes] of Object.entries(FIXTURES)) {
    it(`survives every split: ${name}`, async () => {
      const expected = comparable(parseEntity(bytes));
      for (let offset = 1; offset < bytes.length; offset++) {
        const { entity } = await parseStreamed(bytes, [offset], SMALL_LIMITS);
        expect(comparable(entity!), `split at ${offset}`).toEqual(expected);
      }
      for (const size of [1, 2, 3, 5, 7, 13]) {
        const splits = Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => i * size);
        const { entity } = await parseStreamed(bytes, splits, SMALL_LIMITS);
        expect(comparable(entity!), `chunks of ${size}`).toEqual(expected);
      }
    }, 120_000);
  }

  it('decodes large parts like parseEntity', async () => {
    const binary = randomBytes(5 * 1024 * 1024);
    // A binary body with lines far longer than the fragment size, and CR before a cut.
    binary[200_000] = 0x0a;
    binary[70_000] = 0x0d;

    const qpSource = randomBytes(600_000).toString('latin1');
    const qp = qpSource
      .split('')
      .map((char, index) => {
        const code = char.charCodeAt(0);
        if (index % 70 === 69) return `=\r\n${char === '=' ? '=3D' : ''}`;
        return code >= 33 && code <= 126 && char !== '='
          ? char
          : `=${code.toString(16).padStart(2, '0').toUpperCase()}`;
      })
      .join('');

    const bytes = Buffer.concat([
      crlf([
        'Content-Type: multipart/mixed; boundary=big',
        'Subject: large',
        '',
        '--big',
        'Content-Type: application/octet-stream; name=a.bin',
        'Content-Transfer-Encoding: base64',
        '',
        base64Lines(binary),
        '--big',
        'Content-Type: application/octet-stream; name=b.bin',
        'Content-Transfer-Encoding: binary',
        '',
        '',
      ]),
      binary,
      crlf([
        '',
        '--big',
        'Content-Type: application/octet-stream; name=c.bin',
        'Content-Transfer-Encoding: quoted-printable',
        '',
        qp,
        '--big--',
      ]),
    ]);

    const expected = comparable(parseEntity(bytes));
    const splits = Array.from({ length: Math.ceil(bytes.length / 65_521) }, (_, i) => i * 65_521);
    const { entity, sinks } = await parseStreamed(bytes, splits);
    expect(sinks).toBe(3);
    expect(comparable(entity!)).toEqual(expected);
    expect(entity!.attachments[1]!.stored!.equals(binary)).toBe(true);
  }, 60_000);

  it('reports signed parts', async () => {
    const signed = crlf([
      'Content-Type: multipart/mixed; boundary=s',
      '',
      '--s',
      'Content-Type: application/octet-stream',
      'Content-Transfer-Encoding: base64',
      '',
      base64Lines(ATTACHMENT),
      '--s',
      'Content-Type: multipart/signed; boundary=inner; protocol="application/pgp-signature"; micalg=pgp-sha256',
      '',
      '--inner',
      'Content-Type: text/plain',
      '',
      'signed text',
      '--inner',
      'Content-Type: application/pgp-signature',
      '',
      ARMORED_SIGNATURE,
      '--inner--',
      '--s--',
    ]);
    // Split after the delimiter that ends the attachment, so its sink completes first.
    const split = signed.indexOf('--s\r\nContent-Type: multipart/signed') + 5;
    const result = await parseStreamed(signed, [split], SMALL_LIMITS);
    expect(result.entity).toBeNull();
    expect(result.reason).toBe('signed-part');
    expect(result.sinks).toBe(1);
    expect(result.aborted).toBe(0);

    const root = crlf([
      'Content-Type: multipart/signed; boundary=x; protocol="application/pgp-signature"',
      '',
      '--x',
      '',
      'text',
      '--x--',
    ]);
    expect((await parseStreamed(root, [])).entity).toBeNull();
  });

  it('rejects what parseEntity rejects', async () => {
    const deep = crlf([
      ...Array.from({ length: 6 }, (_, i) => [
        `Content-Type: multipart/mixed; boundary=d${i}`,
        '',
        `--d${i}`,
      ]).flat(),
      'Content-Type: text/plain',
      '',
      'deep',
    ]);
    const cases: Array<[string, Buffer, Partial<StreamParseLimits>]> = [
      ['depth', deep, { maxDepth: 4 }],
      ['parts', NESTED, { maxParts: 4 }],
      ['header size', NESTED, { maxHeaderBytes: 100 }],
      ['no delimiter', crlf(['Content-Type: multipart/mixed; boundary=z', '', 'no parts']), {}],
      ['no boundary', crlf(['Content-Type: multipart/mixed', '', '--z']), {}],
      ['not a header', Buffer.from('just text\r\nmore text\r\n'), {}],
      ['empty', Buffer.alloc(0), {}],
    ];
    for (const [name, bytes, limits] of cases) {
      const expected = errorOf(() => parseEntity(bytes, limits));
      expect(expected, name).not.toBeNull();
      const actual = await streamErrorOf(parseStreamed(bytes, [7], limits));
      expect(actual?.code, name).toBe(expected!.code);
    }
    expect(errorOf(() => parseEntity(deep, { maxDepth: 8 }))).toBeNull();
    expect((await parseStreamed(deep, [], { maxDepth: 8 })).entity).not.toBeNull();
  });

  it('reports text above the limit', async () => {
    const result = await parseEntityStream([NESTED], {
      openSink: async () => {
        throw new Error('no attachment is stored before the text');
      },
      limits: { maxTextBytes: 20 },
    });
    expect(result).toEqual({ kind: 'in-memory', reason: 'large-text' });
  });

  it('aborts the open sink on failure', async () => {
    // The first chunk opens the attachment's sink. The second ends the attachment and fails
    // at the part after it, before the sink is completed.
    const head = crlf([
      'Content-Type: multipart/mixed; boundary=f',
      '',
      '--f',
      'Content-Type: application/octet-stream',
      '',
      'x'.repeat(3 * 1024 * 1024),
    ]);
    const tail = crlf([
      '',
      'x',
      '--f',
      'Content-Type: multipart/mixed',
      '',
      'no boundary',
      '--f--',
    ]);
    let aborted = 0;
    let ended = 0;
    const openSink = async (): Promise<AttachmentSink<Buffer>> => ({
      write: async () => undefined,
      end: async () => {
        ended += 1;
        return Buffer.alloc(0);
      },
      abort: async () => void (aborted += 1),
    });
    const error = await streamErrorOf(
      parseEntityStream([head, tail], { openSink, limits: SMALL_LIMITS }) as Promise<unknown>,
    );
    expect(error?.code).toBe('MIME_MALFORMED');
    expect(aborted).toBe(1);
    expect(ended).toBe(0);
  });

  it('handles truncated input like parseEntity', async () => {
    for (let length = 0; length <= NESTED.length; length += 1) {
      const cut = NESTED.subarray(0, length);
      const expectedError = errorOf(() => parseEntity(cut));
      if (expectedError) {
        const actual = await streamErrorOf(parseStreamed(cut, [], SMALL_LIMITS));
        expect(actual?.code, `cut at ${length}`).toBe(expectedError.code);
        continue;
      }
      const { entity } = await parseStreamed(cut, [Math.floor(length / 2)], SMALL_LIMITS);
      expect(comparable(entity!), `cut at ${length}`).toEqual(comparable(parseEntity(cut)));
    }
  }, 120_000);
});
