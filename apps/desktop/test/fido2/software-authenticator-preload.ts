// Loaded with `node --import` by the FIDO2 CLI tests only: puts a software authenticator behind
// the CLI process's FIDO2 device source. Its state (credentials, PIN, retries, presence) is read
// from the JSON file named by SEALPOST_TEST_FIDO2_STATE and written back when the process
// exits, so successive commands talk to the same key. The CLI itself never reads this variable.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { setFido2DeviceSource } from '../../src/core/hardware/fido2-device.ts';
import { SoftwareAuthenticator } from '../../../../packages/hardware-token/test/fido2/software-authenticator.ts';
import type { SoftwareAuthenticatorState } from '../../../../packages/hardware-token/test/fido2/software-authenticator.ts';

const stateFile = process.env.SEALPOST_TEST_FIDO2_STATE;
if (!stateFile) throw new Error('SEALPOST_TEST_FIDO2_STATE must name the authenticator state file');

const authenticator = existsSync(stateFile)
  ? SoftwareAuthenticator.fromState(
      JSON.parse(readFileSync(stateFile, 'utf8')) as SoftwareAuthenticatorState,
    )
  : new SoftwareAuthenticator();

setFido2DeviceSource({ isConnected: async () => true, open: async () => authenticator });
process.on('exit', () => {
  writeFileSync(stateFile, JSON.stringify(authenticator.exportState()));
});
