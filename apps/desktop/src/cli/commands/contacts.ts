// `sealpost contacts [verify|accept-key|lookup|qr]`: known correspondents, their pinned keys,
// verification of fingerprints (typed or from an openpgp4fpr: QR code), accepting a changed
// key, and WKD/VKS lookups.

import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { HttpsTarget, KeyLookupOptions } from '@sealpost/mail-transport';
import { CoreError } from '../../core/errors.ts';
import { printJson, withSealpost } from '../context.ts';
import { formatFingerprint } from './key.ts';
import { writeOutputFile } from '../output-file.ts';

export function registerContactCommands(program: Command): void {
  const contacts = program
    .command('contacts')
    .description(
      'list contacts with their pinned key, where it came from and whether you verified it',
    )
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      await withSealpost(command, { unlock: false }, async (sealpost) => {
        const revoked = await sealpost.revokedContacts();
        const list = sealpost.contacts
          .list()
          .map((contact) => ({ ...contact, revoked: revoked.has(contact.address) }));
        if (options.json) return printJson(list);
        if (list.length === 0) process.stdout.write('No contacts yet.\n');
        for (const contact of list) {
          const fingerprint = contact.fingerprint
            ? formatFingerprint(contact.fingerprint)
            : 'no key';
          const verified = contact.verifiedBy
            ? `verified by ${contact.verifiedBy === 'qr-code' ? 'QR code' : 'fingerprint'}`
            : 'not verified';
          process.stdout.write(
            `${contact.address}  ${fingerprint}  (from ${contact.source}, ${verified})\n`,
          );
          if (contact.revoked) process.stdout.write(`${revokedLine(contact)}\n`);
          for (const changed of contact.changedFingerprints) {
            process.stdout.write(
              `  WARNING: a different key ${formatFingerprint(changed)} was seen for this address and is not used; ` +
                `check it with the contact, then run "sealpost contacts accept-key ${contact.address} ${changed}".\n`,
            );
          }
        }
      });
    });

  contacts
    .command('verify')
    .description('mark the pinned key of a contact as verified, after comparing its fingerprint')
    .argument('<address>', 'the contact')
    .option('--fingerprint <hex>', 'the fingerprint the contact read out to you (spaces allowed)')
    .option('--uri <openpgp4fpr>', 'the openpgp4fpr: URI from the QR code of the contact')
    .action(
      async (
        address: string,
        options: { fingerprint?: string; uri?: string },
        command: Command,
      ) => {
        if ((options.fingerprint === undefined) === (options.uri === undefined)) {
          throw new CoreError('INVALID_ARGUMENT', 'Give exactly one of --fingerprint and --uri.');
        }
        await withSealpost(command, { unlock: false }, async (sealpost) => {
          const result =
            options.uri !== undefined
              ? sealpost.trust.verifyUri(address, options.uri)
              : sealpost.trust.verify(address, options.fingerprint!, 'fingerprint');
          process.stdout.write(
            `Verified ${formatFingerprint(result.fingerprint)} for ${result.address}.\n`,
          );
        });
      },
    );

  contacts
    .command('accept-key')
    .description('use a changed key of a contact from now on, after checking it with them')
    .argument('<address>', 'the contact')
    .argument('<fingerprint>', 'the full fingerprint of the changed key')
    .option('--verified', 'also mark the key verified: you compared the full fingerprint with them')
    .action(
      async (
        address: string,
        fingerprint: string,
        options: { verified?: boolean },
        command: Command,
      ) => {
        await withSealpost(command, { unlock: false }, async (sealpost) => {
          const result = sealpost.trust.acceptKey(address, fingerprint, {
            verified: options.verified === true,
          });
          const previous = result.previous
            ? ` instead of ${formatFingerprint(result.previous)}`
            : '';
          process.stdout.write(
            `${formatFingerprint(result.fingerprint)} is now the pinned key of ${result.address}${previous}. ` +
              (result.verified
                ? 'It is marked verified by fingerprint.\n'
                : 'It is not verified yet; compare it with "sealpost contacts verify".\n'),
          );
        });
      },
    );

  contacts
    .command('lookup')
    .description(
      'look up the key of an address in its Web Key Directory and optionally a VKS server',
    )
    .argument('<address>', 'the address to look up')
    .option('--no-wkd', 'skip the Web Key Directory')
    .option('--vks-url <url>', 'also ask this VKS server, e.g. https://keys.openpgp.org')
    .option(
      '--ca-file <file>',
      'trust the CA certificates in this PEM file instead of the system roots',
    )
    .option(
      '--resolve <host:port:address>',
      'connect to address:port for host, like curl --resolve (repeatable)',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option('--json', 'print JSON')
    .action(async (address: string, options: LookupOptions, command: Command) => {
      const lookup = lookupOptions(options);
      await withSealpost(command, { unlock: false }, async (sealpost) => {
        const result = await sealpost.discovery.lookup({
          address,
          wkd: options.wkd,
          vksBaseUrl: options.vksUrl ?? null,
          lookup,
        });
        // `contacts` has its own --json, so commander may hand the flag to the parent command.
        if (options.json || command.parent?.opts<{ json?: boolean }>().json) {
          return printJson(result);
        }
        const fingerprint = formatFingerprint(result.fingerprint!);
        if (result.outcome === 'changed-flagged') {
          process.stdout.write(
            `WARNING: ${result.source} returned a different key ${fingerprint} for ${result.address}; ` +
              `it is not used until you check it and run "sealpost contacts accept-key ${result.address} ${result.fingerprint!}".\n`,
          );
        } else {
          process.stdout.write(`Found ${fingerprint} for ${result.address} by ${result.source}.\n`);
        }
        for (const warning of result.warnings) process.stdout.write(`${warning}\n`);
      });
    });

  contacts
    .command('qr')
    .description('write the openpgp4fpr: QR code of your own key as a PNG, for contacts to scan')
    .requiredOption('--address <address>', 'your address')
    .requiredOption('--output <file>', 'PNG file to write')
    .action(async (options: { address: string; output: string }, command: Command) => {
      await withSealpost(command, { unlock: false }, async (sealpost) => {
        const { uri, png } = await sealpost.trust.ownQrCode(options.address);
        writeOutputFile(options.output, png, 'QR code file', false);
        process.stdout.write(`Wrote ${uri} to ${options.output}.\n`);
      });
    });
}

interface LookupOptions {
  wkd: boolean;
  vksUrl?: string;
  caFile?: string;
  resolve: string[];
  json?: boolean;
}

function lookupOptions(options: LookupOptions): KeyLookupOptions {
  const targets = new Map<string, HttpsTarget>();
  for (const entry of options.resolve) {
    const match = /^([^:]+):(\d{1,5}):(.+)$/.exec(entry);
    if (!match) {
      throw new CoreError(
        'INVALID_ARGUMENT',
        `--resolve ${entry} is not host:port:address, e.g. openpgpkey.example.org:443:127.0.0.1.`,
      );
    }
    targets.set(match[1]!.toLowerCase(), { host: match[3]!, port: Number(match[2]) });
  }
  let ca: string | undefined;
  if (options.caFile) {
    try {
      ca = readFileSync(options.caFile, 'utf8');
    } catch (error) {
      throw new CoreError('INVALID_ARGUMENT', `Cannot read the CA file ${options.caFile}.`, {
        cause: error,
      });
    }
  }
  return {
    ...(ca === undefined ? {} : { ca }),
    // Hosts not named by --resolve use DNS on port 443.
    ...(targets.size === 0
      ? {}
      : {
          resolve: (hostname: string) =>
            targets.get(hostname.toLowerCase()) ?? { host: hostname, port: 443 },
        }),
  };
}

/**
 * Returns the REVOKED line of a contact with the next step: accept the new key that already
 * arrived (by Autocrypt or a lookup), or ask for one when none did.
 */
function revokedLine(contact: { address: string; changedFingerprints: string[] }): string {
  const newest = contact.changedFingerprints.at(-1);
  if (newest === undefined) {
    return '  REVOKED: its owner revoked this key, so Sealpost does not encrypt to it; ask them for their new key and import it with "sealpost key import FILE --replace".';
  }
  return (
    `  REVOKED: its owner revoked this key, so Sealpost does not encrypt to it. A new key ${formatFingerprint(newest)} arrived for this address; ` +
    `check it with them, then run "sealpost contacts accept-key ${contact.address} ${newest}".`
  );
}
