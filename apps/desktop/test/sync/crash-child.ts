// Child process for the kill tests: opens Sealpost in an existing data folder and runs one sync
// or one send, so the test process can SIGKILL it at any point. It prints "ready" once the
// store is open, "progress" after each stored sync batch, and "done <JSON>" when the work
// finished; a killed run prints no "done" line.
// Usage: tsx crash-child.ts '<JSON of ChildRequest>'

import { createSilentLogger } from '../../src/core/logger.ts';
import { resolveDataPaths } from '../../src/core/paths.ts';
import { Sealpost } from '../../src/core/sealpost.ts';

export interface ChildRequest {
  home: string;
  passphrase: string;
  action: 'sync' | 'send';
  /** For 'send': the recipient and subject; the body is `bodyBytes` of text. */
  to?: string;
  subject?: string;
  bodyBytes?: number;
}

const request = JSON.parse(process.argv[2] ?? '{}') as ChildRequest;
const sealpost = await Sealpost.open(
  resolveDataPaths({ SEALPOST_HOME: request.home }),
  createSilentLogger(),
  { passphrase: request.passphrase, preferPassphrase: true, keychain: null },
);
process.stdout.write('ready\n');

let result: unknown;
try {
  if (request.action === 'sync') {
    const report = await sealpost.mail.sync({
      account: null,
      onProgress: () => process.stdout.write('progress\n'),
    });
    result = { sentFromOutbox: report.accounts[0]?.sentFromOutbox ?? 0 };
  } else {
    const sent = await sealpost.mail.send({
      from: null,
      to: [request.to!],
      cc: [],
      bcc: [],
      subject: request.subject!,
      text: 'Report line with harbour and budget words.\n'.repeat(
        Math.ceil((request.bodyBytes ?? 1_000) / 43),
      ),
      attachments: [],
      allowPlaintext: true,
    });
    result = { messageId: sent.messageId };
  }
  result = { ...(result as object), outbox: sealpost.mail.listOutbox().length };
} finally {
  sealpost.close();
}
process.stdout.write(`done ${JSON.stringify(result)}\n`);
