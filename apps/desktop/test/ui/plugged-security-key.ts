// A FIDO2 device source for UI tests that always reaches one software authenticator, as a
// security key that stays plugged in does.

import type { Fido2DeviceSource } from '../../src/core/hardware/fido2-device.ts';
import type { SoftwareAuthenticator } from '../../../../packages/hardware-token/test/fido2/software-authenticator.ts';

/** Returns a device source that always reaches `authenticator`, like a plugged-in key. */
export function plugged(authenticator: SoftwareAuthenticator): Fido2DeviceSource {
  return { isConnected: async () => true, open: async () => authenticator };
}
