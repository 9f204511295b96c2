// The interface between the CTAPHID client and a FIDO2 authenticator: 64-byte HID reports in
// and out. NodeHidTransport is the real implementation over node-hid (hidraw on Linux); tests
// use a software authenticator behind the same interface.
import { createRequire } from 'node:module';
import { HardwareTokenError } from '../errors.ts';
import { REPORT_SIZE } from './ctaphid-frames.ts';

export interface HidTransport {
  /** Sends one 64-byte output report. */
  write(report: Uint8Array): Promise<void>;
  /** Returns the next 64-byte input report, or undefined when none arrives within `timeoutMs`. */
  read(timeoutMs: number): Promise<Uint8Array | undefined>;
  close(): Promise<void>;
}

/** HID usage page and usage of FIDO authenticators (CTAP 2.1). */
const FIDO_USAGE_PAGE = 0xf1d0;
const FIDO_USAGE = 0x01;

interface HidDeviceInfo {
  path?: string;
  usagePage?: number;
  usage?: number;
  product?: string;
}

interface HidAsyncDevice {
  write(data: number[]): Promise<number>;
  read(timeoutMs?: number): Promise<Buffer | undefined>;
  close(): Promise<void>;
}

interface NodeHidModule {
  devicesAsync(): Promise<HidDeviceInfo[]>;
  HIDAsync: { open(path: string): Promise<HidAsyncDevice> };
}

export interface FidoDeviceInfo {
  path: string;
  product: string;
}

function loadNodeHid(): NodeHidModule {
  try {
    // node-hid is a native addon; loading it lazily keeps the card code usable without it.
    return createRequire(import.meta.url)('node-hid') as NodeHidModule;
  } catch (error) {
    throw new HardwareTokenError(
      'FIDO_TRANSPORT_FAILED',
      'The node-hid module cannot be loaded, so FIDO2 keys are unavailable. Reinstall Sealpost.',
      { cause: error },
    );
  }
}

// NOTE: no automated test reaches this class, because no USB key is attached to CI machines;
// docs/HARDWARE.md lists the manual checks with a real key.
export class NodeHidTransport implements HidTransport {
  private constructor(private readonly device: HidAsyncDevice) {}

  /** Lists connected FIDO authenticators (HID usage page 0xF1D0). */
  static async list(): Promise<FidoDeviceInfo[]> {
    const devices = await loadNodeHid().devicesAsync();
    return devices
      .filter(
        (device) =>
          device.usagePage === FIDO_USAGE_PAGE && device.usage === FIDO_USAGE && device.path,
      )
      .map((device) => ({ path: device.path!, product: device.product ?? 'FIDO authenticator' }));
  }

  /** Opens the authenticator at `path`, or the first one found. */
  static async open(path?: string): Promise<NodeHidTransport> {
    const target = path ?? (await NodeHidTransport.list())[0]?.path;
    if (!target) {
      throw new HardwareTokenError(
        'FIDO_DEVICE_NOT_FOUND',
        'No FIDO2 security key was found. Connect one and check that your user may open /dev/hidraw* (udev rules).',
      );
    }
    try {
      return new NodeHidTransport(await loadNodeHid().HIDAsync.open(target));
    } catch (error) {
      throw new HardwareTokenError(
        'FIDO_TRANSPORT_FAILED',
        `Opening the FIDO2 key at ${target} failed. Check the device permissions and try again.`,
        { cause: error },
      );
    }
  }

  async write(report: Uint8Array): Promise<void> {
    if (report.length !== REPORT_SIZE)
      throw new RangeError(`HID reports have ${REPORT_SIZE} bytes, got ${report.length}`);
    // node-hid expects the report ID first; FIDO devices use report ID 0.
    await this.device.write([0, ...report]);
  }

  async read(timeoutMs: number): Promise<Uint8Array | undefined> {
    const data = await this.device.read(timeoutMs);
    return data && data.length > 0 ? new Uint8Array(data) : undefined;
  }

  async close(): Promise<void> {
    await this.device.close();
  }
}
