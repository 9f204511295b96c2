// APDU encoding, BER-TLV and the card channel's command chaining and GET RESPONSE handling,
// run against the OpenPGP card emulator in-process (short APDUs only, so both paths are taken).
import { describe, expect, it } from 'vitest';
import { encodeCommandApdu, parseResponseApdu } from '../src/pcsc/apdu.ts';
import { encodeTlv, findTlv, parseTlv } from '../src/pcsc/ber-tlv.ts';
import type { CardTransport } from '../src/pcsc/card-transport.ts';
import { CardChannel } from '../src/openpgp-card/card-channel.ts';
import { OpenPgpCardApplet } from './card-emulator/openpgp-card-applet.ts';

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex').toUpperCase();
}

describe('command APDU encoding', () => {
  const cases: Array<[string, Parameters<typeof encodeCommandApdu>, string]> = [
    ['case 1', [{ cla: 0, ins: 0xa4, p1: 4, p2: 0 }, false], '00A40400'],
    ['case 2 short', [{ cla: 0, ins: 0xca, p1: 0, p2: 0x6e, le: 256 }, false], '00CA006E00'],
    [
      'case 3 short',
      [{ cla: 0, ins: 0x20, p1: 0, p2: 0x81, data: Uint8Array.from([1, 2]) }, false],
      '00200081020102',
    ],
    [
      'case 4 short',
      [{ cla: 0, ins: 0x2a, p1: 0x9e, p2: 0x9a, data: Uint8Array.from([7]), le: 256 }, false],
      '002A9E9A010700',
    ],
    [
      'case 2 extended',
      [{ cla: 0, ins: 0xca, p1: 0, p2: 0x6e, le: 65536 }, true],
      '00CA006E000000',
    ],
    [
      'case 4 extended',
      [{ cla: 0, ins: 0x47, p1: 0x80, p2: 0, data: Uint8Array.from([0xb6, 0]), le: 65536 }, true],
      '00478000000002B6000000',
    ],
  ];
  for (const [name, args, expected] of cases) {
    it(`encodes ${name}`, () => {
      expect(hex(encodeCommandApdu(...args))).toBe(expected);
    });
  }

  it('rejects oversized short data', () => {
    expect(() =>
      encodeCommandApdu({ cla: 0, ins: 0xda, p1: 0, p2: 0x5b, data: new Uint8Array(256) }, false),
    ).toThrow(RangeError);
  });

  it('splits the status word', () => {
    expect(parseResponseApdu(Uint8Array.from([1, 2, 0x90, 0x00]))).toEqual({
      data: Uint8Array.from([1, 2]),
      sw: 0x9000,
    });
    expect(() => parseResponseApdu(Uint8Array.from([0x90]))).toThrow(/shorter than a status word/);
  });
});

describe('BER-TLV', () => {
  it('round-trips nested objects', () => {
    const encoded = encodeTlv(0x7f49, [encodeTlv(0x86, new Uint8Array(200).fill(9))]);
    expect(hex(encoded.subarray(0, 6))).toBe('7F4981CB8681');
    const point = findTlv(parseTlv(encoded), 0x86);
    expect(point?.value).toEqual(new Uint8Array(200).fill(9));
  });

  it('rejects a length past the end', () => {
    expect(() => parseTlv(Uint8Array.from([0x5b, 0x05, 0x41]))).toThrow(/declares 5 bytes/);
  });
});

class InProcessTransport implements CardTransport {
  readonly readerName = 'in-process emulator';
  readonly sent: Uint8Array[] = [];
  constructor(private readonly applet: OpenPgpCardApplet) {}
  async transmit(command: Uint8Array): Promise<Uint8Array> {
    this.sent.push(command);
    return this.applet.process(command);
  }
  async close(): Promise<void> {}
}

describe('card channel', () => {
  async function openChannel(): Promise<{ channel: CardChannel; transport: InProcessTransport }> {
    const applet = new OpenPgpCardApplet({ extendedLength: false, commandChaining: true });
    const transport = new InProcessTransport(applet);
    const channel = new CardChannel(transport);
    channel.capabilities = { extendedLength: false, commandChaining: true, maxCommandLength: 255 };
    await channel.send({
      cla: 0,
      ins: 0xa4,
      p1: 4,
      p2: 0,
      data: Uint8Array.from([0xd2, 0x76, 0x00, 0x01, 0x24, 0x01]),
    });
    const verify = await channel.send({
      cla: 0,
      ins: 0x20,
      p1: 0,
      p2: 0x83,
      data: new TextEncoder().encode('12345678'),
      expectResponse: false,
    });
    expect(verify.sw).toBe(0x9000);
    return { channel, transport };
  }

  it('chains long commands and collects long responses', async () => {
    const { channel, transport } = await openChannel();
    const name = new Uint8Array(600).fill(0x41);
    const put = await channel.send({
      cla: 0,
      ins: 0xda,
      p1: 0,
      p2: 0x5b,
      data: name,
      expectResponse: false,
    });
    expect(put.sw).toBe(0x9000);
    const chained = transport.sent.filter((command) => command[0] === 0x10);
    expect(chained).toHaveLength(2);

    const read = await channel.send({ cla: 0, ins: 0xca, p1: 0, p2: 0x65 });
    expect(read.sw).toBe(0x9000);
    expect(findTlv(parseTlv(read.data), 0x5b)?.value).toEqual(name);
    expect(transport.sent.some((command) => command[1] === 0xc0)).toBe(true);
  });

  it('refuses long commands without chaining', async () => {
    const { channel } = await openChannel();
    channel.capabilities = { extendedLength: false, commandChaining: false, maxCommandLength: 255 };
    const attempt = channel.send({ cla: 0, ins: 0xda, p1: 0, p2: 0x5b, data: new Uint8Array(300) });
    await expect(attempt).rejects.toMatchObject({ code: 'CARD_COMMAND_FAILED' });
  });
});
