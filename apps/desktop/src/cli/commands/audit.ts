// `sealpost audit verify|list`: the hash-chained log of key operations.

import type { Command } from 'commander';
import { printJson, withSealpost } from '../context.ts';

export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('check and show the log of key operations');

  audit
    .command('verify')
    .description('check that no audit log entry was edited, removed, reordered or cut off the end')
    .action(async (_options: unknown, command: Command) => {
      await withSealpost(command, { unlock: true }, async (sealpost) => {
        const result = sealpost.audit.verify();
        process.stdout.write(
          `The audit log is intact: ${result.entries} entries` +
            (result.lastHash ? `, last hash ${result.lastHash}.\n` : '.\n'),
        );
      });
    });

  audit
    .command('list')
    .description('print the audit log entries')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      await withSealpost(command, { unlock: true }, async (sealpost) => {
        const entries = sealpost.audit.list();
        if (options.json) return printJson(entries);
        for (const entry of entries) {
          const details = Object.entries(entry.details)
            .map(([name, value]) => `${name}=${String(value)}`)
            .join(' ');
          process.stdout.write(
            `${entry.seq}  ${entry.at.toISOString()}  ${entry.operation}  ${entry.fingerprint ?? '-'}  ${details}\n`,
          );
        }
      });
    });
}
