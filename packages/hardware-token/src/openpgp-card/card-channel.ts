// Sends OpenPGP card commands over a CardTransport and picks short or extended APDUs. Long data
// becomes a command chain (CLA bit 0x10, ISO/IEC 7816-4). Long responses are collected with
// GET RESPONSE after status 61XX, and a command is repeated with the exact Le after 6CXX.
import { HardwareTokenError } from '../errors.ts';
import {
  SHORT_MAX_DATA,
  SW_SUCCESS,
  encodeCommandApdu,
  parseResponseApdu,
  type CommandApdu,
  type ResponseApdu,
} from '../pcsc/apdu.ts';
import { concatBytes } from '../pcsc/ber-tlv.ts';
import type { CardTransport } from '../pcsc/card-transport.ts';

export interface ChannelCapabilities {
  extendedLength: boolean;
  commandChaining: boolean;
  maxCommandLength: number;
}

const INS_GET_RESPONSE = 0xc0;
/** Upper bound on GET RESPONSE rounds, so a faulty card cannot keep us looping. */
const MAX_GET_RESPONSE_ROUNDS = 256;

export class CardChannel {
  capabilities: ChannelCapabilities = {
    extendedLength: false,
    commandChaining: false,
    maxCommandLength: SHORT_MAX_DATA,
  };

  constructor(readonly transport: CardTransport) {}

  /** Sends `command` and returns the complete response; the status word is not checked here. */
  async send(
    command: Omit<CommandApdu, 'le'> & { expectResponse?: boolean },
  ): Promise<ResponseApdu> {
    const data = command.data ?? new Uint8Array(0);
    const { extendedLength, commandChaining, maxCommandLength } = this.capabilities;
    const fitsExtended = extendedLength && data.length <= maxCommandLength;
    const expectResponse = command.expectResponse ?? true;
    let le: number | undefined;
    if (expectResponse) le = extendedLength ? 65536 : 256;

    if (data.length <= SHORT_MAX_DATA || fitsExtended) {
      const extended = data.length > SHORT_MAX_DATA || (extendedLength && expectResponse);
      return this.collect(
        await this.exchange({ ...command, data, le: extended ? 65536 : le }, extended),
        command,
      );
    }

    if (!commandChaining) {
      throw new HardwareTokenError(
        'CARD_COMMAND_FAILED',
        `The command data of ${data.length} bytes exceeds what the card accepts (${SHORT_MAX_DATA} bytes without extended length or command chaining). Use a card that supports OpenPGP card version 3.`,
      );
    }
    let response: ResponseApdu | undefined;
    for (let offset = 0; offset < data.length; offset += SHORT_MAX_DATA) {
      const last = offset + SHORT_MAX_DATA >= data.length;
      const chunk = data.subarray(offset, offset + SHORT_MAX_DATA);
      response = await this.exchange(
        {
          ...command,
          cla: last ? command.cla : command.cla | 0x10,
          data: chunk,
          le: last ? le : undefined,
        },
        false,
      );
      if (!last && response.sw !== SW_SUCCESS) return response;
    }
    return this.collect(response!, command);
  }

  private async exchange(command: CommandApdu, extended: boolean): Promise<ResponseApdu> {
    const raw = await this.transport.transmit(encodeCommandApdu(command, extended));
    return parseResponseApdu(raw);
  }

  /** Follows 61XX with GET RESPONSE and 6CXX with a repeat using the exact Le. */
  private async collect(first: ResponseApdu, command: CommandApdu): Promise<ResponseApdu> {
    let response = first;
    if (response.sw >> 8 === 0x6c) {
      response = await this.exchange({ ...command, le: response.sw & 0xff || 256 }, false);
    }
    const parts = [response.data];
    let rounds = 0;
    while (response.sw >> 8 === 0x61) {
      rounds += 1;
      if (rounds > MAX_GET_RESPONSE_ROUNDS) {
        throw new HardwareTokenError(
          'CARD_RESPONSE_MALFORMED',
          `The card kept announcing more response data after ${MAX_GET_RESPONSE_ROUNDS} GET RESPONSE commands. Remove and reinsert the card.`,
        );
      }
      const remaining = response.sw & 0xff || 256;
      response = await this.exchange(
        { cla: 0x00, ins: INS_GET_RESPONSE, p1: 0, p2: 0, le: remaining },
        false,
      );
      parts.push(response.data);
    }
    return { data: concatBytes(parts), sw: response.sw };
  }
}
