// The peers of the interop grid, as Debian 12 packages them, and Sealpost's own side, which
// runs sealpost-sop in-process. PGPainless runs on a JVM whose JIT is held at the first tier
// to start faster: generate-key took about 0.7 s instead of 1.0-1.5 s on a 2-core machine.
import { runSop } from '../../../src/sop/run.ts';
import { GnuPgPeer } from './gnupg-peer.ts';
import type { Peer } from './peer.ts';
import { RnpPeer } from './rnp-peer.ts';
import { SopPeer, binaryRunner } from './sop-peer.ts';

export type CleanablePeer = Peer & { cleanup(): void };

/** Sealpost's side: sealpost-sop in this process, generating keys with the given profile. */
export function sealpostPeer(profile: 'pq' | 'compat'): SopPeer {
  return new SopPeer({
    name: `Sealpost (${profile} profile)`,
    debianPackage: null,
    verificationsOption: '--verifications-out',
    generateArguments: [`--profile=${profile}`],
    run: async (argv, input, cwd) => runSop(argv, { readStdin: async () => input, cwd, env: {} }),
  });
}

/** Creates the peers, in the order of the report. */
export function interopPeers(): CleanablePeer[] {
  return [
    new GnuPgPeer(),
    new SopPeer({
      name: 'Sequoia (sqop)',
      debianPackage: 'sqop',
      verificationsOption: '--verifications-out',
      run: binaryRunner('sqop'),
    }),
    new SopPeer({
      name: 'GopenPGP (gosop)',
      debianPackage: 'gosop',
      verificationsOption: '--verify-out',
      run: binaryRunner('gosop'),
    }),
    new SopPeer({
      name: 'PGPainless (pgpainless-cli)',
      debianPackage: 'pgpainless-cli',
      verificationsOption: '--verify-out',
      run: binaryRunner('pgpainless-cli', {
        ...process.env,
        JAVA_TOOL_OPTIONS: '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC',
      }),
    }),
    new RnpPeer(),
  ];
}
