// CardTransport over PC/SC: waits for a reader with a card, connects exclusively (so no other
// program interleaves commands between our VERIFY and PSO), and maps PC/SC failures to typed
// errors. A card pulled mid-operation surfaces as CARD_REMOVED; the caller may retry.
import pcsclite from 'pcsclite';
import { HardwareTokenError } from '../errors.ts';
import type { CardTransport } from './card-transport.ts';

type Pcsc = ReturnType<typeof pcsclite>;
type CardReader = Parameters<Parameters<Pcsc['on']>[1]>[0] & {
  SCARD_STATE_PRESENT: number;
  SCARD_SHARE_EXCLUSIVE: number;
  SCARD_PROTOCOL_T1: number;
  SCARD_PROTOCOL_T0: number;
  SCARD_LEAVE_CARD: number;
  transmit: (
    data: Buffer,
    responseLength: number,
    protocol: number,
    callback: (error: unknown, response: Buffer) => void,
  ) => void;
  connect: (
    options: { share_mode?: number; protocol?: number },
    callback: (error: unknown, protocol: number) => void,
  ) => void;
  disconnect: (disposition: number, callback: (error: unknown) => void) => void;
  close: () => void;
  name: string;
};

export interface PcscConnectOptions {
  /** Substring of the reader name to use; the first reader with a card when omitted. */
  readerName?: string;
  /** How long to wait for a matching reader with a card, in milliseconds. */
  timeoutMs?: number;
}

/** Response buffer size: the largest extended response (65536 data bytes) plus SW1-SW2. */
const MAX_RESPONSE_BYTES = 65538;

// PC/SC return codes (pcsc-lite 1.9 pcsclite.h) that mean the card is no longer usable:
// removed card, no card, unresponsive card, reset card, reader unavailable, and
// SCARD_E_NOT_TRANSACTED, which pcscd returns when the reader driver loses the card mid-command.
const REMOVED_CODES = [
  '0x80100069',
  '0x8010000C',
  '0x80100066',
  '0x80100068',
  '0x80100017',
  '0x80100016',
];

function isRemoval(error: unknown): boolean {
  const text = String((error as Error | undefined)?.message ?? error);
  return REMOVED_CODES.some((code) => text.toLowerCase().includes(code.toLowerCase()));
}

export class PcscCardTransport implements CardTransport {
  private closed = false;

  private constructor(
    private readonly pcsc: Pcsc,
    private readonly reader: CardReader,
    private readonly protocol: number,
    private readonly otherReaders: CardReader[],
  ) {}

  get readerName(): string {
    return this.reader.name;
  }

  /** Waits for a reader with a card present and connects to the card. */
  static async connect(options: PcscConnectOptions = {}): Promise<PcscCardTransport> {
    const timeoutMs = options.timeoutMs ?? 10_000;
    let pcsc: Pcsc;
    try {
      pcsc = pcsclite();
    } catch (error) {
      throw new HardwareTokenError(
        'PCSC_UNAVAILABLE',
        'PC/SC is not available. Start pcscd (Debian package pcscd) and try again.',
        { cause: error },
      );
    }

    // Every reader object runs its own status monitor, which keeps Node.js running until closed.
    const readers: CardReader[] = [];
    const release = (): void => {
      for (const opened of readers) opened.close();
      pcsc.close();
    };

    const reader = await new Promise<CardReader>((resolve, reject) => {
      const seen: string[] = [];
      const matching: string[] = [];
      const timer = setTimeout(() => {
        const filter = options.readerName ? ` matching "${options.readerName}"` : '';
        const quoted = (names: string[]): string => names.map((name) => `"${name}"`).join(', ');
        const code = matching.length === 0 ? 'CARD_READER_NOT_FOUND' : 'CARD_NOT_PRESENT';
        let detail = `No card was present in the readers ${quoted(matching)} within ${timeoutMs} ms. Insert the token and try again.`;
        if (matching.length === 0) {
          const others = seen.length > 0 ? ` (readers found: ${quoted(seen)})` : '';
          detail = `No smart card reader${filter} was found within ${timeoutMs} ms${others}. Connect the token and check that pcscd is running.`;
        }
        reject(new HardwareTokenError(code, detail));
      }, timeoutMs);

      pcsc.on('error', (error: unknown) => {
        // After close() the monitor reports its own cancellation here; nothing waits for it then.
        clearTimeout(timer);
        reject(
          new HardwareTokenError(
            'PCSC_UNAVAILABLE',
            'PC/SC is not available. Start pcscd (Debian package pcscd) and try again.',
            { cause: error },
          ),
        );
      });

      pcsc.on('reader', (found) => {
        const candidate = found as CardReader;
        readers.push(candidate);
        seen.push(candidate.name);
        // Status errors (including the cancellation that close() causes) must not surface as
        // uncaught exceptions; a reader that fails is reported by the timeout above.
        candidate.on('error', () => undefined);
        if (options.readerName && !candidate.name.includes(options.readerName)) return;
        matching.push(candidate.name);
        candidate.on('status', (status) => {
          if ((status.state & candidate.SCARD_STATE_PRESENT) !== 0) {
            clearTimeout(timer);
            resolve(candidate);
          }
        });
      });
    }).catch((error: unknown) => {
      release();
      throw error;
    });

    const protocol = await new Promise<number>((resolve, reject) => {
      reader.connect(
        {
          share_mode: reader.SCARD_SHARE_EXCLUSIVE,
          protocol: reader.SCARD_PROTOCOL_T1 | reader.SCARD_PROTOCOL_T0,
        },
        (error, chosen) => {
          if (error) {
            reject(
              new HardwareTokenError(
                isRemoval(error) ? 'CARD_REMOVED' : 'PCSC_UNAVAILABLE',
                `Connecting to the card in "${reader.name}" failed. Close other programs that use the card (such as scdaemon) and try again.`,
                { cause: error },
              ),
            );
          } else {
            resolve(chosen);
          }
        },
      );
    }).catch((error: unknown) => {
      release();
      throw error;
    });

    return new PcscCardTransport(
      pcsc,
      reader,
      protocol,
      readers.filter((opened) => opened !== reader),
    );
  }

  transmit(command: Uint8Array): Promise<Uint8Array> {
    if (this.closed) {
      return Promise.reject(
        new HardwareTokenError('CARD_REMOVED', 'The card connection is closed. Connect again.'),
      );
    }
    return new Promise((resolve, reject) => {
      this.reader.transmit(
        Buffer.from(command),
        MAX_RESPONSE_BYTES,
        this.protocol,
        (error, response) => {
          if (error) {
            const removed = isRemoval(error);
            reject(
              new HardwareTokenError(
                removed ? 'CARD_REMOVED' : 'CARD_COMMAND_FAILED',
                removed
                  ? `The card in "${this.reader.name}" was removed or stopped responding. Reinsert it and repeat the operation; nothing was changed.`
                  : `Sending a command to the card in "${this.reader.name}" failed. Reinsert the card and try again.`,
                { cause: error },
              ),
            );
          } else if (response.length < 2) {
            // A card always ends its response with SW1-SW2; pcsc-lite hands back fewer bytes
            // when the reader lost the card during the command.
            reject(
              new HardwareTokenError(
                'CARD_REMOVED',
                `The card in "${this.reader.name}" stopped responding during a command. Reinsert it and repeat the operation; nothing was changed.`,
              ),
            );
          } else {
            resolve(new Uint8Array(response));
          }
        },
      );
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await new Promise<void>((resolve) => {
      this.reader.disconnect(this.reader.SCARD_LEAVE_CARD, () => resolve());
    });
    this.reader.close();
    for (const other of this.otherReaders) other.close();
    this.pcsc.close();
  }
}
