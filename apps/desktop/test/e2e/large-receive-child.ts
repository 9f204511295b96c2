// Child process for the large-receive tests. It opens Sealpost in an existing data folder and
// either syncs or reads the message with a given Message-ID, so the test process can measure
// the peak memory of that step alone or SIGKILL it during the download. It prints "ready" once
// the store is open and "done <JSON>" with the resident memory before the step and the peak
// (VmRSS and VmHWM from /proc/self/status, Linux only).
// Usage: node --import tsx large-receive-child.ts '<JSON of LargeReceiveRequest>'

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSilentLogger } from '../../src/core/logger.ts';
import { resolveDataPaths } from '../../src/core/paths.ts';
import { attachmentChunks, releaseAttachments } from '../../src/core/read-attachments.ts';
import { Sealpost } from '../../src/core/sealpost.ts';

export interface LargeReceiveRequest {
  home: string;
  passphrase: string;
  action: 'sync' | 'read';
  /** For 'read': the Message-ID of the message to read. */
  messageId?: string;
}

export interface LargeReceiveResult {
  rssBeforeMiB: number;
  peakMiB: number;
  /** For 'read': what the read returned, with the attachment as its SHA-256. */
  read?: {
    encryption: string;
    signatureSummary: string;
    attachments: Array<{ filename: string; size: number; sha256: string }>;
  };
}

/** Returns a field of /proc/self/status in MiB. */
function statusMiB(field: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(
    readFileSync('/proc/self/status', 'utf8'),
  );
  if (!match) throw new Error(`/proc/self/status has no ${field} line`);
  return Number(match[1]) / 1024;
}

const request = JSON.parse(process.argv[2] ?? '{}') as LargeReceiveRequest;
const sealpost = await Sealpost.open(
  resolveDataPaths({ SEALPOST_HOME: request.home }),
  createSilentLogger(),
  { passphrase: request.passphrase, preferPassphrase: true, keychain: null },
);
process.stdout.write('ready\n');

try {
  const rssBeforeMiB = statusMiB('VmRSS');
  const result: LargeReceiveResult = { rssBeforeMiB, peakMiB: 0 };
  if (request.action === 'sync') {
    await sealpost.mail.sync({ account: null });
  } else {
    const found = sealpost.mail
      .list({ account: null, folder: 'INBOX' })
      .find((message) => message.messageId === request.messageId);
    if (!found) throw new Error(`message ${request.messageId} is not stored`);
    const read = await sealpost.mail.read(found.id);
    const attachments = [];
    for (const attachment of read.attachments) {
      const hash = createHash('sha256');
      for await (const chunk of attachmentChunks(attachment)) hash.update(chunk);
      attachments.push({
        filename: attachment.filename,
        size: attachment.size,
        sha256: hash.digest('hex'),
      });
    }
    releaseAttachments(read.attachments);
    result.read = {
      encryption: read.encryption.status,
      signatureSummary: read.signatureSummary,
      attachments,
    };
  }
  result.peakMiB = statusMiB('VmHWM');
  process.stdout.write(`done ${JSON.stringify(result)}\n`);
} finally {
  sealpost.close();
}
