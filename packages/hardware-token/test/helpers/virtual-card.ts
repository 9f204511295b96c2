// Test fixture: a private pcscd with a vpcd reader, into which tests insert and remove the
// OpenPGP card emulator. Sealpost's card code reaches the emulator only through PC/SC, as it
// would a USB token. libpcsclite reads PCSCLITE_CSOCK_NAME once per process, so one daemon
// serves a whole test file and each test inserts a fresh card.
import { OpenPgpCardApplet, type AppletOptions } from '../card-emulator/openpgp-card-applet.ts';
import { VpcdCard, type VpcdCardOptions } from '../card-emulator/vpcd-card.ts';
import pcsclite from 'pcsclite';
import { OpenPgpCard, PcscCardTransport } from '../../src/index.ts';
import { PrivatePcscd, VIRTUAL_READER_SLOT } from './pcscd.ts';

export type CardOptions = AppletOptions & Pick<VpcdCardOptions, 'beforeCommand'>;

export class VirtualCardBench {
  private opened: OpenPgpCard[] = [];
  private inserted: VpcdCard | undefined;
  /** The applet of the card inserted last, for checks on the card's side. */
  applet: OpenPgpCardApplet | undefined;

  private constructor(readonly pcscd: PrivatePcscd) {}

  static async start(): Promise<VirtualCardBench> {
    return new VirtualCardBench(await PrivatePcscd.start());
  }

  /** Inserts an emulated card (a new one in factory state by default) and returns its applet. */
  async insertCard(
    options: CardOptions & { applet?: OpenPgpCardApplet } = {},
  ): Promise<OpenPgpCardApplet> {
    await this.removeCard();
    // Passing an earlier applet reinserts that card with its keys and counters.
    const applet = options.applet ?? new OpenPgpCardApplet(options);
    this.applet = applet;
    this.inserted = new VpcdCard(applet, {
      port: this.pcscd.vpcdPort,
      beforeCommand: options.beforeCommand,
    });
    await this.inserted.insert();
    return applet;
  }

  /** Connects through PC/SC, exactly as the application does with a real token. */
  async open(): Promise<OpenPgpCard> {
    const transport = await PcscCardTransport.connect({
      readerName: VIRTUAL_READER_SLOT,
      timeoutMs: 10_000,
    });
    const opened = await OpenPgpCard.open(transport);
    this.opened.push(opened);
    return opened;
  }

  async removeCard(): Promise<void> {
    for (const card of this.opened) await card.close().catch(() => undefined);
    this.opened = [];
    if (this.inserted) {
      await this.inserted.remove();
      this.inserted = undefined;
      await waitForReaderEmpty();
    }
  }

  async stop(): Promise<void> {
    await this.removeCard();
    await this.pcscd.stop();
  }
}

/** Waits until pcscd reports the virtual reader without a card, so a stale handle is never reused. */
async function waitForReaderEmpty(timeoutMs = 10_000): Promise<void> {
  const pcsc = pcsclite();
  const readers: Array<{ close(): void }> = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`The virtual reader still reported a card after ${timeoutMs} ms.`)),
        timeoutMs,
      );
      pcsc.on('error', () => undefined);
      pcsc.on('reader', (reader) => {
        readers.push(reader);
        reader.on('error', () => undefined);
        if (reader.name !== VIRTUAL_READER_SLOT) return;
        reader.on('status', (status) => {
          if ((status.state & reader.SCARD_STATE_EMPTY) !== 0) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
    });
  } finally {
    for (const reader of readers) reader.close();
    pcsc.close();
  }
}
