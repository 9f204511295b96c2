// Child process for the streamed-send tests. It opens Sealpost in an existing data folder and
// sends one message with a file attachment in OpenPGP mode to `to`, so the test process can
// SIGKILL it while the message file is sent or appended to Sent. It prints "ready" once the
// store is open and "done <JSON>" when the send returned.
// Usage: node --import tsx streamed-send-child.ts '<JSON of StreamedSendRequest>'

import { statSync } from 'node:fs';
import { createSilentLogger } from '../../src/core/logger.ts';
import { resolveDataPaths } from '../../src/core/paths.ts';
import { Sealpost } from '../../src/core/sealpost.ts';

export interface StreamedSendRequest {
  home: string;
  passphrase: string;
  to: string;
  subject: string;
  attachmentFile: string;
}

const request = JSON.parse(process.argv[2] ?? '{}') as StreamedSendRequest;
const sealpost = await Sealpost.open(
  resolveDataPaths({ SEALPOST_HOME: request.home }),
  createSilentLogger(),
  { passphrase: request.passphrase, preferPassphrase: true, keychain: null },
);
process.stdout.write('ready\n');
try {
  const sent = await sealpost.mail.send({
    from: null,
    to: [request.to],
    cc: [],
    bcc: [],
    subject: request.subject,
    text: 'The file is attached.\n',
    attachments: [],
    attachmentFiles: [
      {
        filename: 'attachment.bin',
        contentType: 'application/octet-stream',
        path: request.attachmentFile,
        size: statSync(request.attachmentFile).size,
      },
    ],
    allowPlaintext: false,
    openpgp: true,
  });
  process.stdout.write(`done ${JSON.stringify({ messageId: sent.messageId, mode: sent.mode })}\n`);
} finally {
  sealpost.close();
}
