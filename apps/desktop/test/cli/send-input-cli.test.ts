// Input checks of `sealpost send`, which `send --dry-run` runs too: attachment files, the
// subject (control characters, length), and the kind, size and encoding of --body-file.

import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runSealpost as sealpost } from './cli-runner.ts';

describe('send input checks', () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'sealpost-send-input-'));
  const home = path.join(work, 'home');
  const send = ['send', '--to', 'bob@sealpost.test'];

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  for (const dryRun of [[], ['--dry-run']]) {
    const label = dryRun.length ? 'dry run' : 'send';

    it(`${label}: rejects a missing attachment`, async () => {
      const missing = path.join(work, 'missing.pdf');
      const result = await sealpost(home, [
        ...send,
        '--subject',
        'x',
        '--attach',
        missing,
        ...dryRun,
      ]);
      expect(result.stderr).toContain(`Cannot read the attachment file ${missing}`);
      expect(result.status).toBe(1);
    });

    it(`${label}: rejects CRLF in the subject`, async () => {
      const result = await sealpost(home, [...send, '--subject', 'one\r\nBcc: x@y', ...dryRun]);
      expect(result.stderr).toContain('control character U+000D at position 4');
      expect(result.status).toBe(1);
    });
  }

  it('rejects control characters in the subject', async () => {
    const result = await sealpost(home, [
      ...send,
      '--subject',
      'bell\u0007 esc\u001b',
      '--dry-run',
    ]);
    expect(result.stderr).toContain('control character U+0007 at position 5');
    expect(result.status).toBe(1);
  });

  it('rejects an overlong subject', async () => {
    const result = await sealpost(home, [...send, '--subject', 'x'.repeat(2001), '--dry-run']);
    expect(result.stderr).toContain('The subject has 2001 characters; shorten it to at most 2000');
    expect(result.status).toBe(1);
  });

  it('rejects a device as body file', async () => {
    const result = await sealpost(home, [...send, '--subject', 'x', '--body-file', '/dev/zero']);
    expect(result.stderr).toContain(
      'Cannot read the body file /dev/zero: it is not a regular file',
    );
    expect(result.status).toBe(1);
  });

  it('rejects a body file over 64 MiB', async () => {
    const bodyFile = path.join(work, 'huge.txt');
    writeFileSync(bodyFile, '');
    // A sparse file: the size check must reject it before anything is read.
    truncateSync(bodyFile, 64 * 1024 * 1024 + 1);
    const result = await sealpost(home, [...send, '--subject', 'x', '--body-file', bodyFile]);
    expect(result.stderr).toContain(`The body file ${bodyFile} has 67108865 bytes`);
    expect(result.stderr).toContain('limit of 67108864 bytes (64 MiB)');
    expect(result.stderr).toContain(`--attach ${bodyFile}`);
    expect(result.status).toBe(1);
  });

  it('rejects a body file that is not UTF-8', async () => {
    const bodyFile = path.join(work, 'latin1.txt');
    writeFileSync(bodyFile, Buffer.from('Gr\xfc\xdfe\n', 'latin1'));
    const result = await sealpost(home, [...send, '--subject', 'x', '--body-file', bodyFile]);
    expect(result.stderr).toContain(`The message text in ${bodyFile} is not valid UTF-8`);
    expect(result.stderr).toContain('--body-charset iso-8859-1');
    expect(result.status).toBe(1);
  });

  it('rejects an unknown --body-charset', async () => {
    const bodyFile = path.join(work, 'plain.txt');
    writeFileSync(bodyFile, 'plain\n');
    const result = await sealpost(home, [
      ...send,
      '--subject',
      'x',
      '--body-file',
      bodyFile,
      '--body-charset',
      'no-such-charset',
    ]);
    expect(result.stderr).toContain(
      '--body-charset no-such-charset is not a known character encoding',
    );
    expect(result.status).toBe(1);
  });
});
