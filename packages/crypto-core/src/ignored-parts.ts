// Lists the parts of a certificate that are not used, each with the reason. These are subkeys
// of an unknown public-key algorithm (RFC 9580 section 9.1), subkeys without a valid binding
// signature at the date, and User IDs that are not UTF-8 (RFC 9580 section 5.11) or lack a
// valid self-signature. It only reports, because readCertificate decides what is usable.
import { createHash } from 'node:crypto';
import { enums } from 'openpgp';
import { parseCertificate } from './certificate.ts';
import { openpgpFullConfig } from './config.ts';
import { describeError } from './errors.ts';
import { optionalDate, type OpenPgpData } from './input.ts';
import { mlkemX25519AlgorithmId } from './pq/mlkem-x25519-key.ts';
import { dearmor, readPackets } from './pq/packet-framing.ts';

/** A subkey or User ID of a certificate that is not used. */
export interface IgnoredPart {
  kind: 'subkey' | 'user-id';
  /** Subkey fingerprint (lowercase hex) or the User ID, read as ISO-8859-1 when not UTF-8. */
  id: string;
  reason: string;
}

const publicSubkeyTag = 14;
const userIdTag = 13;
const knownAlgorithms = new Set<number>([
  ...Object.values(enums.publicKey).filter((value): value is number => typeof value === 'number'),
  mlkemX25519AlgorithmId,
]);

/** Lists the ignored subkeys and User IDs of one certificate at `date` (default now). */
export async function listIgnoredParts(
  data: OpenPgpData,
  options: { date?: Date } = {},
): Promise<IgnoredPart[]> {
  const date = optionalDate(options.date, 'date');
  const certificate = await parseCertificate(data, 'certificate');
  const ignored: IgnoredPart[] = [];

  // openpgp.js drops subkeys of unknown algorithms while parsing, so they are found here.
  for (const { tag, body } of readPackets(await dearmor(data, 'certificate'), 'certificate')) {
    if (tag === publicSubkeyTag && body[0] === 4 && !knownAlgorithms.has(body[5] ?? -1)) {
      ignored.push({
        kind: 'subkey',
        id: v4Fingerprint(body),
        reason: `unknown public-key algorithm ${String(body[5])}`,
      });
    }
    if (tag === userIdTag && !isUtf8(body)) {
      ignored.push({
        kind: 'user-id',
        id: Buffer.from(body).toString('latin1'),
        reason: 'the User ID is not valid UTF-8',
      });
    }
  }

  for (const subkey of certificate.subkeys) {
    try {
      await subkey.verify(date, openpgpFullConfig);
    } catch (error) {
      ignored.push({ kind: 'subkey', id: subkey.getFingerprint(), reason: describeError(error) });
    }
  }
  for (const user of certificate.users) {
    // A User ID that is not UTF-8 was reported above; openpgp.js decodes it with U+FFFD.
    if (!user.userID || user.userID.userID.includes('\uFFFD')) continue;
    try {
      await user.verify(date, openpgpFullConfig);
    } catch (error) {
      ignored.push({ kind: 'user-id', id: user.userID.userID, reason: describeError(error) });
    }
  }
  return ignored;
}

/** Computes a v4 fingerprint: SHA-1 over 0x99, the two-octet length and the key packet body. */
function v4Fingerprint(body: Uint8Array): string {
  const header = Uint8Array.of(0x99, body.length >> 8, body.length & 0xff);
  return createHash('sha1').update(header).update(body).digest('hex');
}

function isUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}
