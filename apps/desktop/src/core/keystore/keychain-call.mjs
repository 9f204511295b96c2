// Runs one keychain operation for OsKeychain in a separate process, so a keychain that waits
// for a password prompt (a locked Secret Service collection) can be stopped by a time limit.
// Reads {op, service, account, value} as JSON on standard input and writes the outcome as
// JSON on standard output: {ok: true, value} or {ok: false, message}.
import { Entry } from '@napi-rs/keyring';

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => (input += chunk));
process.stdin.on('end', () => {
  let outcome;
  try {
    const request = JSON.parse(input);
    const entry = new Entry(request.service, request.account);
    if (request.op === 'get') outcome = { ok: true, value: entry.getPassword() ?? null };
    else if (request.op === 'set')
      outcome = { ok: true, value: entry.setPassword(request.value) ?? null };
    else if (request.op === 'delete') outcome = { ok: true, value: entry.deletePassword() };
    else outcome = { ok: false, message: `unknown keychain operation ${String(request.op)}` };
  } catch (error) {
    outcome = { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
  process.stdout.write(JSON.stringify(outcome));
});
