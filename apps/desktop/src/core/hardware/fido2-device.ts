// The device source through which core reaches a FIDO2 authenticator: it opens a HidTransport
// (64-byte CTAPHID reports). Production uses node-hid. Callers of the core API pass another source
// explicitly. A process whose entry point a test cannot call (the CLI) takes the process
// default, which only code running in that process can replace. No environment variable can.

import { NodeHidTransport } from '@sealpost/hardware-token';
import type { HidTransport } from '@sealpost/hardware-token';

export interface Fido2DeviceSource {
  /** Reports whether an authenticator is connected, without opening it. */
  isConnected(): Promise<boolean>;
  /** Opens the authenticator; each CTAP operation opens it once and closes it when done. */
  open(): Promise<HidTransport>;
}

/** The first FIDO HID device (usage page 0xF1D0) found through node-hid. */
export const nodeHidDeviceSource: Fido2DeviceSource = {
  async isConnected() {
    try {
      return (await NodeHidTransport.list()).length > 0;
    } catch {
      // Without a loadable node-hid there is no device to use; open() reports why.
      return false;
    }
  },
  open: () => NodeHidTransport.open(),
};

let processDeviceSource: Fido2DeviceSource = nodeHidDeviceSource;

/** Returns the device source of this process: node-hid unless `setFido2DeviceSource` ran. */
export function defaultFido2DeviceSource(): Fido2DeviceSource {
  return processDeviceSource;
}

/**
 * Replaces the device source of this process. Tests call it from a module they load with
 * `node --import`, so the CLI talks to a software authenticator behind the same interface.
 */
export function setFido2DeviceSource(source: Fido2DeviceSource): void {
  processDeviceSource = source;
}
