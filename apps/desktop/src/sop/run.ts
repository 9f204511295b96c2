// sealpost-sop: the Stateless OpenPGP command-line interface (draft-dkg-openpgp-stateless-cli-13)
// over crypto-core. runSop() runs one command and returns its output and exit code, so tests
// and the interop grid can run it in-process. main.ts connects it to the process.
// Subcommand modules load on first use, so "version" and "list-profiles" start fast.
import { parseArguments, parseDate, singleValue, type ParsedArguments } from './arguments.ts';
import { SopError, toSopError } from './errors.ts';
import { readIndirect, readPassword, writeOutput, type SopContext } from './io.ts';
import type { SignatureWindow } from './signing.ts';

export const sopVersion = '0.1.0';
export const sopSpecVersion = 'draft-dkg-openpgp-stateless-cli-13';

export interface SopResult {
  exitCode: number;
  stdout: Uint8Array;
  /** One line that names the failure, or empty on success. */
  stderr: string;
}

type Handler = (argv: readonly string[], context: SopContext) => Promise<Uint8Array>;

const subcommands: Record<string, Handler> = {
  version: async (argv) => {
    const parsed = parseArguments('version', argv, { flags: ['backend', 'extended', 'sop-spec'] });
    if (parsed.flags.has('sop-spec')) return text(`${sopSpecVersion}\n`);
    const line = `sealpost-sop ${sopVersion}\n`;
    const { default: openpgpVersion } = await import('./backend-version.ts');
    if (parsed.flags.has('backend')) return text(`${openpgpVersion()}\n`);
    if (parsed.flags.has('extended'))
      return text(`${line}${openpgpVersion()}\n${sopSpecVersion}\n`);
    return text(line);
  },

  'list-profiles': async (argv) => {
    const parsed = parseArguments('list-profiles', argv, {});
    const subcommand = requirePositionals(parsed, 'list-profiles', 'SUBCOMMAND')[0];
    if (subcommand !== 'generate-key') {
      throw new SopError(
        'UNSUPPORTED_PROFILE',
        `"${String(subcommand)}" has no profiles; only generate-key has (pq, compat).`,
      );
    }
    const { generateKeyProfiles } = await import('./keys.ts');
    return text(
      generateKeyProfiles.map((profile) => `${profile.name}: ${profile.description}\n`).join(''),
    );
  },

  'generate-key': async (argv, context) => {
    const parsed = parseArguments('generate-key', argv, {
      flags: ['no-armor', 'signing-only'],
      values: ['with-key-password', 'profile'],
    });
    if (parsed.flags.has('signing-only')) {
      // TODO: signing-only keys; crypto-core identities always get encryption subkeys.
      throw new SopError('UNSUPPORTED_OPTION', 'generate-key --signing-only is not supported.');
    }
    const passwordDesignator = singleValue(parsed, 'with-key-password');
    const { generateKeyCommand } = await import('./keys.ts');
    return generateKeyCommand({
      userIds: parsed.positionals,
      profile: singleValue(parsed, 'profile'),
      password:
        passwordDesignator === undefined
          ? undefined
          : readPassword(context, passwordDesignator, '--with-key-password'),
      noArmor: parsed.flags.has('no-armor'),
    });
  },

  'extract-cert': async (argv, context) => {
    const parsed = parseArguments('extract-cert', argv, { flags: ['no-armor'] });
    const { extractCertCommand } = await import('./keys.ts');
    return extractCertCommand(await requireStdin(context), parsed.flags.has('no-armor'));
  },

  sign: async (argv, context) => {
    const parsed = parseArguments('sign', argv, {
      flags: ['no-armor'],
      values: ['as', 'with-key-password', 'micalg-out'],
    });
    requireBinaryMode(parsed, 'sign');
    const designators = requirePositionals(parsed, 'sign', 'KEYS');
    const { loadSecretKeys } = await import('./keys.ts');
    const { signCommand } = await import('./signing.ts');
    const data = await context.readStdin();
    const keys = await loadSecretKeys(context, designators, keyPasswords(parsed, context));
    try {
      const { output, micalg } = await signCommand({
        data,
        keys,
        noArmor: parsed.flags.has('no-armor'),
      });
      const micalgOut = singleValue(parsed, 'micalg-out');
      if (micalgOut !== undefined) writeOutput(context, micalgOut, micalg);
      return output;
    } finally {
      keys.forEach((key) => key.clear());
    }
  },

  verify: async (argv, context) => {
    const parsed = parseArguments('verify', argv, { values: ['not-before', 'not-after'] });
    const [signatureDesignator, ...certificateDesignators] = requirePositionals(
      parsed,
      'verify',
      'SIGNATURES CERTS',
      2,
    );
    const { loadCertificates } = await import('./keys.ts');
    const { verifyCommand } = await import('./signing.ts');
    const signature = readIndirect(context, signatureDesignator as string, 'Signature');
    const certificates = await loadCertificates(context, certificateDesignators);
    const lines = await verifyCommand({
      data: await context.readStdin(),
      signature,
      certificates,
      window: windowOf(parsed, 'not-before', 'not-after'),
    });
    return text(lines);
  },

  encrypt: async (argv, context) => {
    const parsed = parseArguments('encrypt', argv, {
      flags: ['no-armor'],
      values: ['as', 'with-password', 'with-key-password', 'sign-with', 'profile'],
    });
    requireBinaryMode(parsed, 'encrypt');
    if (parsed.values.has('with-password')) {
      // TODO: password-encrypted messages (SKESK); crypto-core encrypts to certificates only.
      throw new SopError('UNSUPPORTED_OPTION', 'encrypt --with-password is not supported.');
    }
    if (parsed.values.has('profile')) {
      throw new SopError('UNSUPPORTED_PROFILE', 'encrypt has no profiles; drop --profile.');
    }
    const certificateDesignators = requirePositionals(parsed, 'encrypt', 'CERTS');
    const { loadCertificates, loadSecretKeys } = await import('./keys.ts');
    const { encryptCommand } = await import('./encryption.ts');
    const certificates = await loadCertificates(context, certificateDesignators);
    const signingKeys = await loadSecretKeys(
      context,
      parsed.values.get('sign-with') ?? [],
      keyPasswords(parsed, context),
    );
    try {
      return await encryptCommand({
        data: await context.readStdin(),
        certificates,
        signingKeys,
        noArmor: parsed.flags.has('no-armor'),
      });
    } finally {
      signingKeys.forEach((key) => key.clear());
    }
  },

  decrypt: async (argv, context) => {
    const parsed = parseArguments('decrypt', argv, {
      values: [
        'session-key-out',
        'with-session-key',
        'with-password',
        'with-key-password',
        'verifications-out',
        'verify-out',
        'verify-with',
        'verify-not-before',
        'verify-not-after',
      ],
    });
    for (const name of ['session-key-out', 'with-session-key', 'with-password']) {
      if (parsed.values.has(name)) {
        // TODO: session keys and password-encrypted messages; crypto-core does not expose them.
        throw new SopError('UNSUPPORTED_OPTION', `decrypt --${name} is not supported.`);
      }
    }
    const keyDesignators = requirePositionals(parsed, 'decrypt', 'KEYS');
    const verificationsOut =
      singleValue(parsed, 'verifications-out') ?? singleValue(parsed, 'verify-out');
    const verifyWith = parsed.values.get('verify-with') ?? [];
    if (verifyWith.length > 0 && verificationsOut === undefined) {
      throw new SopError('MISSING_ARG', 'decrypt --verify-with needs --verifications-out=FILE.');
    }
    const { loadCertificates, loadSecretKeys } = await import('./keys.ts');
    const { decryptCommand } = await import('./encryption.ts');
    const message = await requireStdin(context);
    const certificates = await loadCertificates(context, verifyWith);
    const keys = await loadSecretKeys(context, keyDesignators, keyPasswords(parsed, context));
    try {
      const result = await decryptCommand({
        message,
        keys,
        certificates,
        window: windowOf(parsed, 'verify-not-before', 'verify-not-after'),
      });
      if (verificationsOut !== undefined)
        writeOutput(context, verificationsOut, result.verifications);
      return result.data;
    } finally {
      keys.forEach((key) => key.clear());
    }
  },

  'inline-sign': async (argv, context) => {
    const parsed = parseArguments('inline-sign', argv, {
      flags: ['no-armor'],
      values: ['as', 'with-key-password'],
    });
    const as = singleValue(parsed, 'as') ?? 'binary';
    const designators = requirePositionals(parsed, 'inline-sign', 'KEYS');
    const { loadSecretKeys } = await import('./keys.ts');
    const { inlineSignCommand } = await import('./signing.ts');
    const data = await context.readStdin();
    const keys = await loadSecretKeys(context, designators, keyPasswords(parsed, context));
    try {
      return await inlineSignCommand({ data, keys, as, noArmor: parsed.flags.has('no-armor') });
    } finally {
      keys.forEach((key) => key.clear());
    }
  },

  'inline-verify': async (argv, context) => {
    const parsed = parseArguments('inline-verify', argv, {
      values: ['not-before', 'not-after', 'verifications-out'],
    });
    const certificateDesignators = requirePositionals(parsed, 'inline-verify', 'CERTS');
    const { loadCertificates } = await import('./keys.ts');
    const { inlineVerifyCommand } = await import('./signing.ts');
    const message = await requireStdin(context);
    const certificates = await loadCertificates(context, certificateDesignators);
    const result = await inlineVerifyCommand({
      message,
      certificates,
      window: windowOf(parsed, 'not-before', 'not-after'),
    });
    const verificationsOut = singleValue(parsed, 'verifications-out');
    if (verificationsOut !== undefined)
      writeOutput(context, verificationsOut, result.verifications);
    return result.data;
  },

  armor: async (argv, context) => {
    parseArguments('armor', argv, {});
    const { armorCommand } = await import('./armoring.ts');
    return armorCommand(await requireStdin(context));
  },

  dearmor: async (argv, context) => {
    parseArguments('dearmor', argv, {});
    const { dearmorCommand } = await import('./armoring.ts');
    return dearmorCommand(await requireStdin(context));
  },
};

/** Runs one sealpost-sop command line (without the program name). */
export async function runSop(argv: readonly string[], context: SopContext): Promise<SopResult> {
  const [subcommand, ...rest] = argv;
  try {
    if (subcommand === undefined) {
      throw new SopError(
        'MISSING_ARG',
        `Name a subcommand: ${Object.keys(subcommands).join(', ')}.`,
      );
    }
    const handler = Object.hasOwn(subcommands, subcommand) ? subcommands[subcommand] : undefined;
    if (!handler) {
      throw new SopError(
        'UNSUPPORTED_SUBCOMMAND',
        `"${subcommand}" is not a supported subcommand; supported: ${Object.keys(subcommands).join(', ')}.`,
      );
    }
    return { exitCode: 0, stdout: await handler(rest, context), stderr: '' };
  } catch (error) {
    const sopError = toSopError(error);
    if (sopError) {
      return {
        exitCode: sopError.exitCode,
        stdout: new Uint8Array(),
        stderr: `sealpost-sop: ${sopError.code}: ${sopError.message}\n`,
      };
    }
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    return {
      exitCode: 1,
      stdout: new Uint8Array(),
      stderr: `sealpost-sop: INTERNAL_ERROR: ${detail}\n`,
    };
  }
}

function text(value: string): Uint8Array {
  return new TextEncoder().encode(value);
}

function requirePositionals(
  parsed: ParsedArguments,
  subcommand: string,
  names: string,
  minimum = 1,
): string[] {
  if (parsed.positionals.length < minimum) {
    throw new SopError('MISSING_ARG', `"${subcommand}" needs ${names} arguments.`);
  }
  return parsed.positionals;
}

async function requireStdin(context: SopContext): Promise<Uint8Array> {
  const input = await context.readStdin();
  if (input.length === 0) {
    throw new SopError('BAD_DATA', 'Standard input is empty; pipe OpenPGP data into the command.');
  }
  return input;
}

function requireBinaryMode(parsed: ParsedArguments, subcommand: string): void {
  const as = singleValue(parsed, 'as') ?? 'binary';
  if (as !== 'binary') {
    // TODO: text-mode (type 0x01) signatures and literal data; crypto-core writes binary only.
    throw new SopError(
      'UNSUPPORTED_OPTION',
      `${subcommand} --as=${as} is not supported; use --as=binary.`,
    );
  }
}

function keyPasswords(parsed: ParsedArguments, context: SopContext): string[] {
  return (parsed.values.get('with-key-password') ?? []).map((designator) =>
    readPassword(context, designator, '--with-key-password'),
  );
}

function windowOf(parsed: ParsedArguments, before: string, after: string): SignatureWindow {
  return {
    notBefore: parseDate(singleValue(parsed, before), new Date(0), before),
    notAfter: parseDate(singleValue(parsed, after), new Date(), after),
  };
}
