// Detection of inline PGP (RFC 9580 section 6.2 armor, and the cleartext signature framework
// of section 7) in a text body after transfer and charset decoding. Only a BEGIN line that
// fills a whole line counts, so a quoted armor header ("> -----BEGIN") is not taken.

export interface InlinePgpBlock {
  kind: 'encrypted' | 'signed';
  /** The armored block from its BEGIN line to its END line (or to the end of the text when truncated). */
  armored: string;
}

const BLOCKS = [
  { kind: 'encrypted', begin: '-----BEGIN PGP MESSAGE-----', end: '-----END PGP MESSAGE-----' },
  {
    kind: 'signed',
    begin: '-----BEGIN PGP SIGNED MESSAGE-----',
    end: '-----END PGP SIGNATURE-----',
  },
] as const;

/** Finds the first inline PGP block in `text`, or returns null. */
export function findInlinePgp(text: string): InlinePgpBlock | null {
  let found: { kind: InlinePgpBlock['kind']; start: number; end: string } | null = null;
  for (const block of BLOCKS) {
    const start = findLine(text, block.begin, 0);
    if (start !== -1 && (found === null || start < found.start)) {
      found = { kind: block.kind, start, end: block.end };
    }
  }
  if (found === null) return null;

  const endLine = findLine(text, found.end, found.start);
  const stop = endLine === -1 ? text.length : endLine + found.end.length;
  return { kind: found.kind, armored: text.slice(found.start, stop).replace(/\r?\n/g, '\r\n') };
}

/** Returns the offset of `line` where it fills a whole line (trailing whitespace allowed). */
function findLine(text: string, line: string, from: number): number {
  let offset = text.indexOf(line, from);
  while (offset !== -1) {
    const atLineStart = offset === 0 || text[offset - 1] === '\n';
    const after = text.slice(offset + line.length).match(/^[ \t\r]*(\n|$)/);
    if (atLineStart && after) return offset;
    offset = text.indexOf(line, offset + 1);
  }
  return -1;
}
