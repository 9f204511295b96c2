// Splitting of a byte stream that arrives in chunks cut anywhere into lines (RFC 5322 section
// 2.1, LF accepted as well as CRLF), and the two line tests of MIME structure: header field
// lines and delimiter lines. A line longer than the maximum is handed on in fragments, so a
// body without line breaks costs bounded memory.

const LF = 0x0a;
const CR = 0x0d;
const DASH = 0x2d;
const EMPTY = Buffer.alloc(0);

/**
 * Receives a line or a fragment of one. `content` excludes the line break, `lineBreak` is CRLF,
 * LF or empty (a fragment, or the last line of the stream), and `lineStart` is false for every
 * fragment after the first of a long line.
 */
export type LineHandler = (content: Buffer, lineBreak: Buffer, lineStart: boolean) => void;

export class LineSplitter {
  #rest: Buffer | null = null;
  #atLineStart = true;

  constructor(
    private readonly maxLineBytes: number,
    private readonly onLine: LineHandler,
  ) {}

  /** Hands on every complete line of `chunk`. The buffers passed on may be views of `chunk`. */
  push(chunk: Uint8Array): void {
    let data = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.#rest !== null) {
      // Only the line that started in an earlier chunk is copied, not the whole chunk.
      const lineFeed = data.indexOf(LF);
      const head = lineFeed === -1 ? data : data.subarray(0, lineFeed + 1);
      const joined = Buffer.concat([this.#rest, head]);
      this.#rest = null;
      if (lineFeed === -1) {
        this.#keepRest(joined);
        return;
      }
      this.#splitLines(joined);
      data = data.subarray(lineFeed + 1);
    }
    this.#keepRest(this.#splitLines(data));
  }

  /** Hands on the bytes after the last line feed as a line without a line break. */
  end(): void {
    const rest = this.#rest;
    this.#rest = null;
    if (rest !== null) this.onLine(rest, EMPTY, this.#atLineStart);
  }

  /** Hands on the complete lines of `data` and returns the bytes after the last line feed. */
  #splitLines(data: Buffer): Buffer {
    let start = 0;
    for (;;) {
      const lineFeed = data.indexOf(LF, start);
      if (lineFeed === -1) break;
      const contentEnd = lineFeed > start && data[lineFeed - 1] === CR ? lineFeed - 1 : lineFeed;
      this.onLine(
        data.subarray(start, contentEnd),
        data.subarray(contentEnd, lineFeed + 1),
        this.#atLineStart,
      );
      this.#atLineStart = true;
      start = lineFeed + 1;
    }
    return data.subarray(start);
  }

  /** Keeps an incomplete line for the next chunk, handing on a fragment once it is too long. */
  #keepRest(rest: Buffer): void {
    if (rest.length > this.maxLineBytes) {
      // A CR at the end is kept back, so that a CRLF split across chunks stays one line break.
      const cut = rest[rest.length - 1] === CR ? rest.length - 1 : rest.length;
      this.onLine(rest.subarray(0, cut), EMPTY, this.#atLineStart);
      this.#atLineStart = false;
      rest = rest.subarray(cut);
    }
    // A copy, so that the rest does not keep the whole chunk in memory.
    this.#rest = rest.length > 0 ? Buffer.from(rest) : null;
  }
}

/** Returns true for `name:` with a printable name, optionally with whitespace before the colon. */
export function isFieldLine(content: Buffer): boolean {
  let offset = 0;
  while (offset < content.length && content[offset] !== 0x3a) {
    const byte = content[offset]!;
    if (byte <= 0x20 || byte >= 0x7f) break;
    offset++;
  }
  const nameEnd = offset;
  while (offset < content.length && (content[offset] === 0x20 || content[offset] === 0x09))
    offset++;
  return nameEnd > 0 && content[offset] === 0x3a;
}

/** Matches a delimiter line: the delimiter, "--" for the close-delimiter, then only whitespace. */
export function matchDelimiter(content: Buffer, delimiter: Buffer): 'open' | 'close' | null {
  if (content.length < delimiter.length) return null;
  if (!content.subarray(0, delimiter.length).equals(delimiter)) return null;
  let offset = delimiter.length;
  let match: 'open' | 'close' = 'open';
  if (content[offset] === DASH && content[offset + 1] === DASH) {
    offset += 2;
    match = 'close';
  }
  for (; offset < content.length; offset++) {
    const byte = content[offset];
    if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0d) return null;
  }
  return match;
}
