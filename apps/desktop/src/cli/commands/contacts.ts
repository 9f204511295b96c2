// `sealpost contacts`: known correspondents, their pinned keys and any key change.

import type { Command } from 'commander';
import { printJson, withSealpost } from '../context.ts';
import { formatFingerprint } from './key.ts';

export function registerContactCommands(program: Command): void {
  program
    .command('contacts')
    .description('list contacts with their pinned key and where it came from')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      await withSealpost(command, { unlock: false }, async (sealpost) => {
        const contacts = sealpost.contacts.list();
        if (options.json) return printJson(contacts);
        if (contacts.length === 0) process.stdout.write('No contacts yet.\n');
        for (const contact of contacts) {
          const fingerprint = contact.fingerprint
            ? formatFingerprint(contact.fingerprint)
            : 'no key';
          process.stdout.write(`${contact.address}  ${fingerprint}  (from ${contact.source})\n`);
          for (const changed of contact.changedFingerprints) {
            process.stdout.write(
              `  WARNING: a different key ${formatFingerprint(changed)} was seen for this address and not used.\n`,
            );
          }
        }
      });
    });
}
