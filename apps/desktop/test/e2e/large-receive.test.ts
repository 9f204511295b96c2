// End to end through the real Dovecot and Postfix: alice sends bob a 30 MiB attachment, and
// bob's sync streams the message (about 54 MiB) into an encrypted message file instead of the
// database. A sync killed with SIGKILL during the download leaves no row and only a partial
// file without a key, which a later sync deletes, and the next sync stores the message once.
// The read returns the attachment byte-identical, no file of the data folder contains it in the
// clear, and the peak memory of the sync stays well under the attachment's size.

import { createHash, randomBytes } from 'node:crypto';
import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORPHAN_AGE_MS } from '../../src/core/message-files.ts';
import type { LargeReceiveRequest } from './large-receive-child.ts';
import { runLargeReceiveChild as runChild, sendSurvey, storeOf, withStore } from './large-mail.ts';
import { createUser, swapCertificates } from './stack.ts';
import type { TestUser } from './stack.ts';

const MIB = 1024 * 1024;
const ATTACHMENT_MIB = 30;
const PEER_ATTACHMENT_MIB = 10;
const CANARY = Buffer.from('large-receive-canary-4c1d7e');

/** Returns a random attachment with the canary at its start, middle and end. */
function makeAttachment(): Buffer {
  const attachment = randomBytes(ATTACHMENT_MIB * MIB);
  for (const at of [0, attachment.length / 2, attachment.length - CANARY.length]) {
    CANARY.copy(attachment, at);
  }
  return attachment;
}

/** Returns the canary in the clear and inside base64 at each of the three alignments. */
function canaryForms(): Buffer[] {
  const forms = [CANARY];
  for (const shift of [0, 1, 2]) {
    const encoded = Buffer.concat([Buffer.alloc(shift), CANARY]).toString('base64');
    forms.push(Buffer.from(encoded.slice(4, -4)));
  }
  return forms;
}

function filesUnder(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const file = path.join(folder, name);
    return statSync(file).isDirectory() ? filesUnder(file) : [file];
  });
}

describe('large message receive', () => {
  let alice: TestUser;
  let bob: TestUser;
  /** The peer for memory: carol receives a 10 MiB attachment, also above the file threshold. */
  let carol: TestUser;
  let folder: string;
  let messageId: string;
  const attachment = makeAttachment();
  const attachmentSha256 = createHash('sha256').update(attachment).digest('hex');

  beforeAll(async () => {
    alice = await createUser('alice');
    bob = await createUser('bob', { keystore: 'passphrase' });
    carol = await createUser('carol', { keystore: 'passphrase' });
    folder = mkdtempSync(path.join(os.tmpdir(), 'sealpost-large-receive-'));
    await swapCertificates(alice, bob);
    await swapCertificates(alice, carol);
    const peerFile = path.join(folder, 'peer.bin');
    writeFileSync(peerFile, attachment.subarray(0, PEER_ATTACHMENT_MIB * MIB));
    await sendSurvey(alice, carol, 'Smaller survey', peerFile, PEER_ATTACHMENT_MIB * MIB);
    carol.sealpost.close();
    const attachmentFile = path.join(folder, 'attachment.bin');
    writeFileSync(attachmentFile, attachment);
    const sent = await sendSurvey(alice, bob, 'Large survey', attachmentFile, attachment.length);
    expect(sent.mode).toBe('openpgp');
    messageId = sent.messageId;
    // The children open bob's data folder; the test reopens it only between their runs.
    bob.sealpost.close();
  }, 300_000);

  afterAll(() => {
    alice?.close();
    bob?.close();
    carol?.close();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  const messagesFolder = () => path.join(bob.home, 'messages');
  const request = (action: LargeReceiveRequest['action']): LargeReceiveRequest => ({
    home: bob.home,
    passphrase: bob.passphrase,
    action,
    messageId,
  });

  function partialFiles(): string[] {
    try {
      return readdirSync(messagesFolder()).filter((name) => name.endsWith('.msg.part'));
    } catch {
      return [];
    }
  }

  it('kill during download stores nothing', async () => {
    // Killed once the partial file has 8 MiB: the download is well under way, not complete.
    const run = await runChild(request('sync'), () =>
      partialFiles().some((name) => statSync(path.join(messagesFolder(), name)).size > 8 * MIB),
    );
    expect(run.killed).toBe(true);
    expect(run.result).toBeNull();

    const partial = partialFiles();
    expect(partial).toHaveLength(1);
    const partialBytes = readFileSync(path.join(messagesFolder(), partial[0]!));
    for (const form of canaryForms()) expect(partialBytes.includes(form)).toBe(false);

    await withStore(bob, (sealpost) => {
      const stored = sealpost.mail
        .list({ account: null, folder: 'INBOX' })
        .filter((message) => message.messageId === messageId);
      expect(stored).toHaveLength(1);
      expect(storeOf(sealpost).messageFiles.listNames()).toEqual(new Set());
      expect(storeOf(sealpost).messageSync.hasBody(stored[0]!.id)).toBe(false);
    });
  }, 300_000);

  it('next sync stores it once', async () => {
    // The partial file is older than ORPHAN_AGE_MS now, as if the kill had been an hour ago.
    const [partial] = partialFiles();
    const old = new Date(Date.now() - ORPHAN_AGE_MS - 60_000);
    utimesSync(path.join(messagesFolder(), partial!), old, old);

    const run = await runChild(request('sync'));
    expect(run.stderr).toBe('');
    expect(run.result).not.toBeNull();
    const peer = await runChild({
      ...request('sync'),
      home: carol.home,
      passphrase: carol.passphrase,
    });
    expect(peer.stderr).toBe('');
    expect(peer.result).not.toBeNull();
    // Both syncs pay the same fixed cost (TLS, IMAP, the garbage collector's slack), measured
    // at about 40 MiB. A sync that kept the message in memory would grow by several times the
    // 36 MiB that the larger message adds. Streamed, the two peaks differ by a few MiB.
    const growthMiB = run.result!.peakMiB - run.result!.rssBeforeMiB;
    const peerGrowthMiB = peer.result!.peakMiB - peer.result!.rssBeforeMiB;
    expect(
      growthMiB - peerGrowthMiB,
      `sync grew ${growthMiB} MiB, the peer ${peerGrowthMiB} MiB`,
    ).toBeLessThan((ATTACHMENT_MIB - PEER_ATTACHMENT_MIB) / 2);
    expect(growthMiB).toBeLessThan(64);

    const names = await withStore(bob, (sealpost) => {
      const stored = sealpost.mail
        .list({ account: null, folder: 'INBOX' })
        .filter((message) => message.messageId === messageId);
      expect(stored).toHaveLength(1);
      expect(storeOf(sealpost).messageSync.hasBody(stored[0]!.id)).toBe(true);
      expect(storeOf(sealpost).messages.getRaw(stored[0]!.id).length).toBeLessThan(64 * 1024);
      return storeOf(sealpost).messageFiles.listNames();
    });
    expect(names.size).toBe(1);
    expect(readdirSync(messagesFolder())).toEqual([...names]);
  }, 300_000);

  it('read returns the attachment byte-identical', async () => {
    const run = await runChild(request('read'));
    expect(run.stderr).toBe('');
    const read = run.result!.read!;
    expect(read.encryption).toBe('encrypted');
    expect(read.signatureSummary).toBe('verified');
    expect(read.attachments).toEqual([
      { filename: 'survey.bin', size: attachment.length, sha256: attachmentSha256 },
    ]);
  }, 300_000);

  it('data folder holds no plaintext', async () => {
    const key = await withStore(bob, (sealpost) => {
      const [name] = storeOf(sealpost).messageFiles.listNames();
      const id = sealpost.mail
        .list({ account: null, folder: 'INBOX' })
        .find((message) => message.messageId === messageId)!.id;
      expect(storeOf(sealpost).messageFiles.get(id)!.name).toBe(name);
      return storeOf(sealpost).messageFiles.get(id)!.key;
    });
    const forms = [
      ...canaryForms(),
      key,
      Buffer.from(key.toString('hex')),
      Buffer.from(key.toString('base64')),
    ];
    for (const file of filesUnder(bob.home)) {
      const bytes = readFileSync(file);
      for (const form of forms)
        expect(bytes.includes(form), `${file} contains a secret`).toBe(false);
    }
  }, 120_000);
});
