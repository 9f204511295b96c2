#!/usr/bin/env -S node --import tsx
// Process entry of sealpost-sop: runs one Stateless OpenPGP command (run.ts) with the
// process's standard input, writes its output and one error line, and exits with its code.
import { runSop } from './run.ts';

async function readStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return new Uint8Array(Buffer.concat(chunks));
}

const result = await runSop(process.argv.slice(2), {
  readStdin,
  cwd: process.cwd(),
  env: process.env,
});
if (result.stdout.length > 0) process.stdout.write(result.stdout);
if (result.stderr !== '') process.stderr.write(result.stderr);
process.exitCode = result.exitCode;
