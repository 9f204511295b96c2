// The test pcscd's vpcd reader must listen on 127.0.0.1 only, never on all interfaces, because
// anyone who reaches its port can act as the card. Checked with `ss`, as an administrator would.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PrivatePcscd } from './helpers/pcscd.ts';

let pcscd: PrivatePcscd;

beforeAll(async () => {
  pcscd = await PrivatePcscd.start();
});
afterAll(async () => {
  await pcscd.stop();
});

function listeningAddresses(port: number): string[] {
  const output = execFileSync('ss', ['-H', '-l', '-t', '-n', `sport = :${port}`], {
    encoding: 'utf8',
  });
  // Columns: State Recv-Q Send-Q Local-Address:Port Peer-Address:Port
  return output
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => line.trim().split(/\s+/)[3]!);
}

it('vpcd listens on loopback only', () => {
  const addresses = listeningAddresses(pcscd.vpcdPort);
  expect(addresses).toEqual([`127.0.0.1:${pcscd.vpcdPort}`]);
});
