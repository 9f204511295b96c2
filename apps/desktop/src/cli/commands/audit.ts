// `sealpost audit verify|list|accept`: the hash-chained log of key operations, and the logged
// acceptance of a log that no longer matches its anchor.

import type { Command } from 'commander';
import { CoreError } from '../../core/errors.ts';
import { printJson, withSealpost } from '../context.ts';

export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('check and show the log of key operations');

  audit
    .command('verify')
    .description('check that no audit log entry was edited, removed, reordered or cut off the end')
    .action(async (_options: unknown, command: Command) => {
      await withSealpost(command, { unlock: true, auditRecovery: true }, async (sealpost) => {
        const result = sealpost.audit.verify();
        const recreated = result.anchorRecreated;
        // Without the deleted anchor, a cut of the entries before the new one leaves no trace.
        const since = recreated
          ? ` since the anchor was recreated at entry ${recreated.seq} on ${recreated.at.toISOString()}`
          : '';
        process.stdout.write(
          `The audit log is intact${since}: ${result.entries} entries` +
            (result.lastHash ? `, last hash ${result.lastHash}.\n` : '.\n'),
        );
        if (recreated) {
          process.stdout.write(
            `Entries before entry ${recreated.seq} cannot be checked for cuts, because the anchor file that covered them was deleted or never existed.\n`,
          );
        }
        if (result.acceptedMismatches.length > 0) {
          process.stdout.write(
            `Accepted with "sealpost audit accept": the anchor mismatches recorded in ${result.acceptedMismatches.length === 1 ? 'entry' : 'entries'} ${result.acceptedMismatches.join(', ')}.\n`,
          );
        }
      });
    });

  audit
    .command('accept')
    .description(
      'accept the current audit log after AUDIT_LOG_TRUNCATED or AUDIT_ANCHOR_INVALID whose cause you know (such as a restored older data folder); the log records the acceptance',
    )
    .option('--yes', 'confirm the acceptance')
    .action(async (options: { yes?: boolean }, command: Command) => {
      if (options.yes !== true) {
        throw new CoreError(
          'CONFIRMATION_REQUIRED',
          'Accepting makes "sealpost audit verify" pass again although entries may be missing; the acceptance itself is logged. Add --yes to confirm.',
        );
      }
      await withSealpost(command, { unlock: true, auditRecovery: true }, async (sealpost) => {
        const accepted = sealpost.audit.acceptMismatch();
        process.stdout.write(
          `Accepted the current audit log (${accepted} recorded mismatch(es)); the acceptance is the newest entry, and "sealpost audit verify" lists it.\n`,
        );
      });
    });

  audit
    .command('list')
    .description('print the audit log entries')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      await withSealpost(command, { unlock: true, auditRecovery: true }, async (sealpost) => {
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
