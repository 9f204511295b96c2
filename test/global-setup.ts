// Starts the local Dovecot/Postfix stack once before the test files run. The stack is
// idempotent, so a stack that is already up is reused. Unit-only runs can skip it with
// SEALPOST_SKIP_MAIL_STACK=1.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  if (process.env.SEALPOST_SKIP_MAIL_STACK === '1') return;
  const script = fileURLToPath(new URL('../scripts/mail-stack', import.meta.url));
  execFileSync('bash', [script, 'up'], { stdio: 'inherit' });
}
