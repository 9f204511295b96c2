// The signature subcommands of sealpost-sop: "sign" and "verify" (detached signatures over
// exact bytes, RFC 9580 signature type 0x00), "inline-sign" and "inline-verify" (signed
// messages and cleartext signed messages, RFC 9580 section 7). A signature counts only when
// crypto-core reports it `valid` and it was made inside the --not-before/--not-after window.
import {
  micalgOf,
  signCleartext,
  signDetached,
  signMessage,
  verifyCleartext,
  verifyDetached,
  verifyMessage,
  type SignatureResult,
  type UnlockedKey,
} from '@sealpost/crypto-core';
import { armorBytes, dearmorBytes, isArmored, outputOf } from './armoring.ts';
import { SopError } from './errors.ts';

/** The window in which a signature's creation time must lie. */
export interface SignatureWindow {
  notBefore: Date;
  notAfter: Date;
}

/** "sign": one detached binary signature per key, all in one output. */
export async function signCommand(options: {
  data: Uint8Array;
  keys: readonly UnlockedKey[];
  noArmor: boolean;
}): Promise<{ output: Uint8Array; micalg: string }> {
  const packets: Uint8Array[] = [];
  let micalg = '';
  for (const signingKey of options.keys) {
    const armored = await signDetached({ data: options.data, signingKey });
    micalg ||= await micalgOf(armored);
    packets.push(await dearmorBytes(new TextEncoder().encode(armored), 'signature'));
  }
  const binary = Buffer.concat(packets);
  const output = options.noArmor
    ? binary
    : new TextEncoder().encode(armorBytes('signature', binary));
  return { output, micalg };
}

/** "verify": the verification lines of the valid signatures, or NO_SIGNATURE. */
export async function verifyCommand(options: {
  data: Uint8Array;
  signature: Uint8Array;
  certificates: string[];
  window: SignatureWindow;
}): Promise<string> {
  const results = await verifyDetached({
    data: options.data,
    signature: options.signature,
    verificationCertificates: options.certificates,
  });
  return requireVerifications(results, options.window);
}

/** "inline-sign": a signed message (binary mode) or a cleartext signed message. */
export async function inlineSignCommand(options: {
  data: Uint8Array;
  keys: readonly UnlockedKey[];
  as: string;
  noArmor: boolean;
}): Promise<Uint8Array> {
  if (options.keys.length !== 1) {
    // TODO: sign inline with several keys once crypto-core takes more than one signing key.
    throw new SopError(
      'UNSUPPORTED_OPTION',
      `inline-sign signs with exactly one key, got ${options.keys.length}.`,
    );
  }
  const signingKey = options.keys[0] as UnlockedKey;
  if (options.as === 'binary') {
    return outputOf(await signMessage({ data: options.data, signingKey }), options.noArmor);
  }
  if (options.as === 'clearsigned') {
    if (options.noArmor) {
      throw new SopError(
        'INCOMPATIBLE_OPTIONS',
        'inline-sign --as=clearsigned is always armored; drop --no-armor.',
      );
    }
    const text = decodeText(options.data);
    return new TextEncoder().encode(await signCleartext({ text, signingKey }));
  }
  // TODO: text-mode (type 0x01) signatures; crypto-core makes binary signatures only.
  throw new SopError(
    'UNSUPPORTED_OPTION',
    `inline-sign --as=${options.as} is not supported; use --as=binary or --as=clearsigned.`,
  );
}

/** "inline-verify": the signed data and the verification lines, or NO_SIGNATURE. */
export async function inlineVerifyCommand(options: {
  message: Uint8Array;
  certificates: string[];
  window: SignatureWindow;
}): Promise<{ data: Uint8Array; verifications: string }> {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(options.message.subarray(0, 4096));
  if (isArmored(options.message) && text.includes('-----BEGIN PGP SIGNED MESSAGE-----')) {
    const result = await verifyCleartext({
      message: new TextDecoder().decode(options.message),
      verificationCertificates: options.certificates,
    });
    const verifications = requireVerifications(result.signatures, options.window);
    return { data: new TextEncoder().encode(result.text), verifications };
  }
  const result = await verifyMessage({
    message: options.message,
    verificationCertificates: options.certificates,
  });
  if (result.signatures.length === 0) {
    throw new SopError(
      'BAD_DATA',
      'The message is not signed; inline-verify needs a signed message.',
    );
  }
  return {
    data: result.data,
    verifications: requireVerifications(result.signatures, options.window),
  };
}

/** Returns the verification lines, failing with NO_SIGNATURE when there are none. */
export function requireVerifications(
  results: readonly SignatureResult[],
  window: SignatureWindow,
): string {
  const lines = verificationLines(results, window);
  if (lines === '') {
    const reasons = results.map((result) => `${result.keyId}: ${result.status}`).join(', ');
    throw new SopError(
      'NO_SIGNATURE',
      `No valid signature by the given certificates${reasons ? ` (${reasons})` : ''}; check the certificates and the --not-before/--not-after window.`,
    );
  }
  return lines;
}

/**
 * Formats valid signatures as SOP verification lines: creation time (ISO 8601, UTC), the
 * signing key's fingerprint and the primary key's fingerprint.
 * NOTE: the optional "mode:" field is left out, because crypto-core does not report the
 * signature type.
 */
export function verificationLines(
  results: readonly SignatureResult[],
  window: SignatureWindow,
): string {
  return results
    .filter((result) => result.status === 'valid' && result.created !== null)
    .filter(
      (result) =>
        (result.created as Date) >= window.notBefore && (result.created as Date) <= window.notAfter,
    )
    .map((result) => {
      const created = (result.created as Date).toISOString().replace(/\.\d{3}Z$/, 'Z');
      const signingKey = (result.signingKeyFingerprint ?? '').toUpperCase();
      const primaryKey = (result.signerFingerprint ?? '').toUpperCase();
      return `${created} ${signingKey} ${primaryKey}\n`;
    })
    .join('');
}

function decodeText(data: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch (error) {
    throw new SopError('EXPECTED_TEXT', 'Standard input is not UTF-8 text.', { cause: error });
  }
}
