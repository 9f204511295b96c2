// `sealpost read` and `list` on mail from other clients: HTML only, a very long subject, and
// attachment names that are too long or unsafe as file names. Also the messages of commands
// with nothing to do: an empty key list, `flag` without a flag, and `key export` of a
// contact's address.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addCliUser,
  deliverPlain as deliver,
  runSealpost as sealpost,
  shareCliCertificate,
} from './cli-runner.ts';
import { uniqueAddress } from '../e2e/stack.ts';

describe('read and list output', () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'sealpost-read-list-'));
  const alice = { address: uniqueAddress('reader'), home: path.join(work, 'alice') };
  const bob = { address: uniqueAddress('contact'), home: path.join(work, 'bob') };
  const passphraseFile = path.join(work, 'passphrase');
  const withPassphrase = ['--passphrase-file', passphraseFile];

  beforeAll(async () => {
    writeFileSync(passphraseFile, 'read list passphrase\n');
    await addCliUser(alice, work, withPassphrase);
    await addCliUser(bob, work, withPassphrase);
    await deliver(
      alice.address,
      'Subject: HTML only\r\nContent-Type: text/html; charset=utf-8',
      '<html><body><h1>Agenda</h1><p>First <b>point</b> &amp; more.</p><img src="http://127.0.0.1:9/track.png"><script>alert(1)</script></body></html>\r\n',
    );
    await deliver(
      alice.address,
      `Subject: ${'long '.repeat(4000)}\r\nContent-Type: text/plain; charset=utf-8`,
      'Short body.\r\n',
    );
    await deliver(
      alice.address,
      'Subject: Sized attachment\r\nContent-Type: multipart/mixed; boundary="b1"',
      '--b1\r\nContent-Type: text/plain\r\n\r\nSee the file.\r\n--b1\r\n' +
        'Content-Type: application/octet-stream\r\n' +
        'Content-Disposition: attachment; filename="data.bin"\r\n' +
        'Content-Transfer-Encoding: base64\r\n\r\n' +
        `${Buffer.alloc(1536, 7).toString('base64')}\r\n--b1--\r\n`,
    );
    await deliver(
      alice.address,
      'Subject: Odd names\r\nContent-Type: multipart/mixed; boundary="b2"',
      '--b2\r\nContent-Type: text/plain\r\n\r\nFour files.\r\n' +
        attachmentPart(`filename="${'n'.repeat(300)}.pdf"`, 'long') +
        attachmentPart(`filename*=utf-8''xx${'%C3%BC'.repeat(130)}.txt`, 'utf8') +
        attachmentPart('filename=".."', 'dots') +
        attachmentPart('filename=".profile"', 'hidden') +
        attachmentPart('filename="after.txt"', 'after') +
        '--b2--\r\n',
    );
    expect((await sealpost(alice.home, ['sync', ...withPassphrase])).status).toBe(0);
  });

  /** Returns one text/plain attachment part of the "Odd names" message. */
  function attachmentPart(filenameParameter: string, content: string): string {
    return (
      '--b2\r\nContent-Type: text/plain\r\n' +
      `Content-Disposition: attachment; ${filenameParameter}\r\n\r\n${content}\r\n`
    );
  }

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  async function listed(): Promise<Array<{ id: number; subject: string | null }>> {
    const result = await sealpost(alice.home, ['list', '--json', ...withPassphrase]);
    return JSON.parse(result.stdout) as Array<{ id: number; subject: string | null }>;
  }

  it('read converts an HTML-only message', async () => {
    const message = (await listed()).find((entry) => entry.subject === 'HTML only')!;
    const result = await sealpost(alice.home, ['read', String(message.id), ...withPassphrase]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('(converted from the HTML part');
    expect(result.stdout).toContain('AGENDA');
    expect(result.stdout).toContain('First point & more.');
    expect(result.stdout).not.toContain('<p>');
    expect(result.stdout).not.toContain('alert(1)');
    expect(result.stdout).not.toContain('track.png');
    expect(result.stdout).not.toContain('(no text part)');
  });

  it('list shortens a long subject', async () => {
    const result = await sealpost(alice.home, ['list', ...withPassphrase]);
    expect(result.status).toBe(0);
    const row = result.stdout.split('\n').find((line) => line.includes('long long'))!;
    const subject = row.split('\t').at(-1)!;
    expect([...subject]).toHaveLength(200);
    expect(subject.endsWith('…')).toBe(true);
  });

  it('read shows attachment size in KiB', async () => {
    const message = (await listed()).find((entry) => entry.subject === 'Sized attachment')!;
    const result = await sealpost(alice.home, ['read', String(message.id), ...withPassphrase]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('application/octet-stream, 1.5 KiB)');
  });

  it('read rejects a file as attachment folder', async () => {
    const message = (await listed()).find((entry) => entry.subject === 'Sized attachment')!;
    const file = path.join(work, 'not-a-folder');
    writeFileSync(file, 'text\n');
    const result = await sealpost(alice.home, [
      'read',
      String(message.id),
      '--save-attachments',
      file,
      ...withPassphrase,
    ]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`--save-attachments ${file} is a file; give a folder`);
    expect(result.stderr).not.toContain('EEXIST');
  });

  it('read saves odd attachment names', async () => {
    const message = (await listed()).find((entry) => entry.subject === 'Odd names')!;
    const folder = path.join(work, 'odd-names');
    const result = await sealpost(alice.home, [
      'read',
      String(message.id),
      '--save-attachments',
      folder,
      ...withPassphrase,
    ]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);

    const names = readdirSync(folder);
    expect(names).toHaveLength(5);
    for (const name of names) expect(Buffer.byteLength(name)).toBeLessThanOrEqual(255);
    const long = names.find((name) => name.startsWith('nnn'))!;
    expect(long).toBe(`${'n'.repeat(251)}.pdf`);
    const utf8 = names.find((name) => name.startsWith('xx'))!;
    // "xx" and 124 two-byte "ü" fill 250 of the 251 bytes left beside ".txt", so the cut
    // falls before a whole "ü" instead of splitting one.
    expect(utf8).toBe(`xx${'ü'.repeat(124)}.txt`);
    expect(names).toContain('attachment');
    expect(names).toContain('_.profile');
    expect(names).toContain('after.txt');
  });

  it('read rejects an empty attachment folder', async () => {
    const result = await sealpost(alice.home, [
      'read',
      '1',
      '--save-attachments',
      '',
      ...withPassphrase,
    ]);
    expect(result.stderr).toContain('--save-attachments needs a folder name');
    expect(result.status).toBe(1);
  });

  it.each(['0x1', '1e3', ' 1', '1.0', '+1', '0'])('read rejects message id "%s"', async (id) => {
    const result = await sealpost(alice.home, ['read', id, ...withPassphrase]);
    expect(result.stderr).toContain(`INVALID_ARGUMENT: Message id "${id}" is not valid`);
    expect(result.status).toBe(1);
  });

  it('flag rejects a hexadecimal message id', async () => {
    const result = await sealpost(alice.home, [
      'flag',
      '0x1',
      '--add',
      '\\Seen',
      ...withPassphrase,
    ]);
    expect(result.stderr).toContain('Message id "0x1" is not valid');
    expect(result.status).toBe(1);
  });

  it('list and search name a reached limit', async () => {
    const limited = await sealpost(alice.home, ['list', '--limit', '2', ...withPassphrase]);
    expect(limited.status).toBe(0);
    expect(limited.stdout.trimEnd().split('\n')).toHaveLength(3);
    expect(limited.stdout).toContain('Showing the first 2 messages; use --limit N for more.');

    const all = await sealpost(alice.home, ['list', ...withPassphrase]);
    expect(all.stdout).not.toContain('Showing the first');

    const searched = await sealpost(alice.home, [
      'search',
      'See',
      'file',
      '--limit',
      '1',
      ...withPassphrase,
    ]);
    expect(searched.status).toBe(0);
    expect(searched.stdout).toContain('Showing the first 1 result; use --limit N for more.');
    const wider = await sealpost(alice.home, ['search', 'See', 'file', ...withPassphrase]);
    expect(wider.stdout).not.toContain('Showing the first');
  });

  it('key list says when there are no keys', async () => {
    const result = await sealpost(path.join(work, 'empty'), ['key', 'list', ...withPassphrase]);
    expect(result.stdout).toContain('There are no keys in this data folder');
    expect(result.stdout).toContain('sealpost key generate --address ADDRESS');
    expect(result.status).toBe(0);
  });

  it('flag without a flag is a usage error', async () => {
    const result = await sealpost(alice.home, ['flag', '1', ...withPassphrase]);
    expect(result.stderr).toContain('No flag given for message 1; add --add FLAG or --remove FLAG');
    expect(result.status).toBe(1);
  });

  it('key export of a contact says so', async () => {
    await shareCliCertificate(bob, alice, work, withPassphrase);

    const result = await sealpost(alice.home, [
      'key',
      'export',
      '--address',
      bob.address,
      ...withPassphrase,
    ]);
    expect(result.stderr).toContain(`${bob.address} is a contact, not one of your keys`);
    expect(result.stderr).not.toContain('key generate');
    expect(result.status).toBe(1);
  });

  it('send decodes --body-charset', async () => {
    const bodyFile = path.join(work, 'latin1.txt');
    writeFileSync(bodyFile, Buffer.from('Gr\xfc\xdfe aus K\xf6ln\n', 'latin1'));
    const sent = await sealpost(alice.home, [
      'send',
      '--to',
      alice.address,
      '--subject',
      'Latin-1 body',
      '--body-file',
      bodyFile,
      '--body-charset',
      'iso-8859-1',
      ...withPassphrase,
    ]);
    expect(sent.stderr).toBe('');
    expect(sent.status).toBe(0);
    // Delivery to the mailbox is asynchronous, so sync again until the message arrives.
    const readAll = async (): Promise<string[]> => {
      expect((await sealpost(alice.home, ['sync', ...withPassphrase])).status).toBe(0);
      const ids = (await listed()).map((entry) => entry.id);
      return Promise.all(
        ids.map(
          async (id) =>
            (await sealpost(alice.home, ['read', String(id), ...withPassphrase])).stdout,
        ),
      );
    };
    await expect
      .poll(async () => (await readAll()).some((body) => body.includes('Grüße aus Köln')), {
        timeout: 30_000,
        interval: 1_000,
      })
      .toBe(true);
  });
});
