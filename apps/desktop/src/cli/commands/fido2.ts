// `sealpost key fido2 enroll|list|remove`: FIDO2 security keys (hmac-secret) as unlock methods
// of the data folder's keystore. Enrolment needs two touches; with --require the key replaces
// the keychain copy, and a keychain folder gets a recovery code that is printed once.
import type { Command } from 'commander';
import { CoreError } from '../../core/errors.ts';
import { printJson, withSealpost } from '../context.ts';
import { terminalFido2Interaction } from '../fido2-prompt.ts';

export function registerFido2Commands(program: Command): void {
  const key = program.commands.find((command) => command.name() === 'key');
  if (!key) throw new Error('registerKeyCommands must run before registerFido2Commands');
  const fido2 = key
    .command('fido2')
    .description('unlock Sealpost with a FIDO2 security key (YubiKey, SoloKey, Nitrokey)');

  fido2
    .command('enroll')
    .description('enrol a security key as a way to unlock this data folder (two touches)')
    .option(
      '--name <name>',
      'a name for the key, shown by "key fido2 list" (default security-key-N)',
    )
    .option(
      '--require',
      'make a security key required: delete the keychain copy of the keys; the passphrase, or a new recovery code, stays as the recovery path',
    )
    .action(async (options: { name?: string; require?: boolean }, command: Command) => {
      await withSealpost(command, { unlock: true }, async (sealpost) => {
        process.stderr.write('Enrolling takes two touches of the security key.\n');
        const result = await sealpost.fido2.enroll({
          name: options.name,
          require: options.require === true,
          ...terminalFido2Interaction(command),
        });
        process.stdout.write(
          `Enrolled FIDO2 key "${result.key.name}"` +
            (result.key.pinRequired ? ', which needs its PIN to unlock' : '') +
            '.\n' +
            (result.mode === 'fido2'
              ? 'Sealpost now needs an enrolled security key to start.\n'
              : 'The security key is an additional way to unlock Sealpost.\n'),
        );
        if (result.recoveryCode) {
          process.stdout.write(
            '\nRecovery code (shown only now; write it down and keep it apart from the key):\n\n' +
              `    ${result.recoveryCode}\n\n` +
              'If every enrolled key is lost, start Sealpost with --fido2-recovery-code-file FILE.\n',
          );
        }
      });
    });

  fido2
    .command('list')
    .description('list the enrolled security keys')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      await withSealpost(command, { unlock: true }, async (sealpost) => {
        const keys = sealpost.fido2.list();
        const required = sealpost.fido2.mode() === 'fido2';
        if (options.json) return printJson({ required, keys });
        if (keys.length === 0) {
          process.stdout.write('No FIDO2 security key is enrolled.\n');
          return;
        }
        for (const entry of keys) {
          process.stdout.write(
            `${entry.name}  enrolled ${entry.createdAt}${entry.pinRequired ? '  PIN required' : ''}\n`,
          );
        }
        process.stdout.write(
          required
            ? 'A security key is required to unlock Sealpost.\n'
            : 'Security keys are an additional way to unlock Sealpost.\n',
        );
      });
    });

  fido2
    .command('remove')
    .description(
      'remove an enrolled security key; the last one of a folder that requires a key stays',
    )
    .argument('<name>', 'the name shown by "key fido2 list"')
    .action(async (name: string, _options: unknown, command: Command) => {
      if (name.trim() === '') {
        throw new CoreError(
          'INVALID_ARGUMENT',
          'Name the key to remove; "sealpost key fido2 list" shows the names.',
        );
      }
      await withSealpost(command, { unlock: true }, async (sealpost) => {
        sealpost.fido2.remove(name);
        process.stdout.write(`Removed FIDO2 key "${name}".\n`);
      });
    });
}
