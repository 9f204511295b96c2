// Manual checks against a real token, as docs/HARDWARE.md describes: card status, a signature
// on the card verified with its public key, and FIDO2 hmac-secret enrolment and derivation.
// PINs are read from files so they stay out of the shell history; no secret is printed.
import { ed25519 } from '@noble/curves/ed25519.js';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  NodeHidTransport,
  OpenPgpCard,
  PcscCardTransport,
  deriveKeyEncryptionKey,
  enrollHmacSecret,
  type HmacSecretEnrolment,
} from '../index.ts';

const usage = `Usage: tsx packages/hardware-token/src/cli/hardware-check.ts COMMAND [options]
  card-status                       print the OpenPGP card's application data
  card-sign --pin-file FILE [--expected-fingerprint HEX]
                                    sign a random digest on the card and verify it
  fido-list                         list connected FIDO2 keys
  fido-enroll --output FILE [--pin-file FILE]
                                    enrol the first FIDO2 key; writes the enrolment JSON
  fido-derive --enrolment FILE [--pin-file FILE]
                                    derive the key-encryption key; prints its SHA-256 only`;

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    'pin-file': { type: 'string' },
    output: { type: 'string' },
    enrolment: { type: 'string' },
    reader: { type: 'string' },
    'expected-fingerprint': { type: 'string' },
  },
});

function readPin(): string | undefined {
  const path = values['pin-file'];
  return path === undefined ? undefined : readFileSync(path, 'utf8').trim();
}

function hex(bytes: Uint8Array | null): string | null {
  return bytes ? Buffer.from(bytes).toString('hex').toUpperCase() : null;
}

async function openCard(): Promise<OpenPgpCard> {
  return OpenPgpCard.open(await PcscCardTransport.connect({ readerName: values.reader }));
}

async function cardStatus(): Promise<void> {
  const card = await openCard();
  try {
    const data = card.applicationData;
    console.log(
      JSON.stringify(
        {
          reader: card.readerName,
          version: data.version,
          manufacturer: `0x${data.manufacturer.toString(16)}`,
          serial: data.serial,
          extendedLength: data.supportsExtendedLength,
          commandChaining: data.supportsCommandChaining,
          pinRetries: data.pinStatus.retries,
          algorithms: {
            signature: data.algorithmAttributes.signature.algorithm,
            decryption: data.algorithmAttributes.decryption.algorithm,
            authentication: data.algorithmAttributes.authentication.algorithm,
          },
          fingerprints: {
            signature: hex(data.fingerprints.signature),
            decryption: hex(data.fingerprints.decryption),
            authentication: hex(data.fingerprints.authentication),
          },
          cardholder: await card.readCardholderData(),
        },
        null,
        2,
      ),
    );
  } finally {
    await card.close();
  }
}

async function cardSign(): Promise<void> {
  const pin = readPin();
  if (pin === undefined) throw new Error('card-sign needs --pin-file with the user PIN');
  const card = await openCard();
  try {
    const digest = new Uint8Array(randomBytes(32));
    const publicKey = await card.readPublicKey('signature');
    const expected = values['expected-fingerprint'];
    const signature = await card.sign(digest, {
      pin,
      expectedFingerprint: expected
        ? new Uint8Array(Buffer.from(expected.replace(/\s+/g, ''), 'hex'))
        : undefined,
    });
    console.log(
      ed25519.verify(signature, digest, publicKey)
        ? 'signature verifies'
        : 'signature does NOT verify',
    );
  } finally {
    await card.close();
  }
}

function enrolmentToJson(enrolment: HmacSecretEnrolment): string {
  return JSON.stringify({
    rpId: enrolment.rpId,
    credentialId: Buffer.from(enrolment.credentialId).toString('base64'),
    salt: Buffer.from(enrolment.salt).toString('base64'),
    userVerification: enrolment.userVerification,
  });
}

function enrolmentFromJson(text: string): HmacSecretEnrolment {
  const parsed = JSON.parse(text) as Record<string, unknown>;
  return {
    rpId: String(parsed.rpId),
    credentialId: new Uint8Array(Buffer.from(String(parsed.credentialId), 'base64')),
    salt: new Uint8Array(Buffer.from(String(parsed.salt), 'base64')),
    userVerification: parsed.userVerification === true,
  };
}

const touchPrompt = { onTouchNeeded: () => console.error('Touch the security key now.') };

async function main(): Promise<void> {
  switch (positionals[0]) {
    case 'card-status':
      return cardStatus();
    case 'card-sign':
      return cardSign();
    case 'fido-list':
      console.log(JSON.stringify(await NodeHidTransport.list(), null, 2));
      return;
    case 'fido-enroll': {
      if (!values.output) throw new Error('fido-enroll needs --output FILE');
      const enrolment = await enrollHmacSecret(await NodeHidTransport.open(), {
        pin: readPin(),
        ...touchPrompt,
      });
      writeFileSync(values.output, enrolmentToJson(enrolment));
      console.log(`Enrolment written to ${values.output}`);
      return;
    }
    case 'fido-derive': {
      if (!values.enrolment) throw new Error('fido-derive needs --enrolment FILE');
      const enrolment = enrolmentFromJson(readFileSync(values.enrolment, 'utf8'));
      const derived = await deriveKeyEncryptionKey(await NodeHidTransport.open(), [enrolment], {
        pin: readPin(),
        ...touchPrompt,
      });
      console.log(
        `SHA-256 of the key-encryption key: ${createHash('sha256').update(derived.keyEncryptionKey).digest('hex')}`,
      );
      derived.keyEncryptionKey.fill(0);
      return;
    }
    default:
      console.error(usage);
      process.exitCode = 2;
  }
}

main().catch((error: unknown) => {
  const code = (error as { code?: string }).code;
  console.error(`${code ? `${code}: ` : ''}${(error as Error).message}`);
  process.exitCode = 1;
});
