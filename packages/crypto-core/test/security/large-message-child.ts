// Child process for the large-message test: streams SIZE_MB of data through
// encryptAndSignStream into a file and back through decryptToSpool, then prints one JSON line
// with the byte counts, the SHA-256 of both sides and the resident set size before and at peak.
// Run in its own process so the peak RSS (getrusage ru_maxrss) belongs to this work alone.

import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decryptToSpool, encryptAndSignStream } from '../../src/index.ts';
import { makeIdentity } from '../helpers/identities.ts';

const sizeMegabytes = Number(process.env['SIZE_MB'] ?? '200');
const chunk = randomBytes(1024 * 1024);

async function* source(hash: ReturnType<typeof createHash>): AsyncGenerator<Uint8Array> {
  for (let index = 0; index < sizeMegabytes; index++) {
    // Each megabyte differs in its first bytes, so a reordering would change the hash.
    const block = Buffer.from(chunk);
    block.writeUInt32BE(index, 0);
    hash.update(block);
    yield block;
  }
}

const [alice, bob] = await Promise.all([
  makeIdentity('alice@example.org'),
  makeIdentity('bob@example.org'),
]);
const folder = mkdtempSync(path.join(os.tmpdir(), 'sealpost-large-'));
try {
  global.gc?.();
  const baselineRss = process.memoryUsage().rss;

  const inputHash = createHash('sha256');
  const file = path.join(folder, 'message.pgp');
  await encryptAndSignStream({
    data: source(inputHash),
    output: createWriteStream(file),
    format: 'binary',
    recipientCertificates: [bob.certificate],
    signingKey: alice.unlocked,
  });

  const spool = await decryptToSpool({
    message: createReadStream(file),
    format: 'binary',
    decryptionKeys: [bob.unlocked],
    verificationCertificates: [alice.certificate],
    expectedSignerAddress: 'alice@example.org',
    spoolDirectory: folder,
  });
  const outputHash = createHash('sha256');
  let outputBytes = 0;
  for await (const part of spool.read()) {
    outputHash.update(part);
    outputBytes += part.length;
  }
  await spool.dispose();

  const peakRss = process.resourceUsage().maxRSS * 1024;
  console.log(
    JSON.stringify({
      inputBytes: sizeMegabytes * 1024 * 1024,
      ciphertextBytes: statSync(file).size,
      outputBytes,
      inputSha256: inputHash.digest('hex'),
      outputSha256: outputHash.digest('hex'),
      signatureStatus: spool.signatures.map((signature) => signature.status),
      signerMatchesAddress: spool.signatures.map((signature) => signature.signerMatchesAddress),
      baselineRss,
      peakRss,
    }),
  );
} finally {
  rmSync(folder, { recursive: true, force: true });
}
