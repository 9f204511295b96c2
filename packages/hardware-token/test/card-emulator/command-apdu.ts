// Card-side decoding of command APDUs (ISO/IEC 7816-4, cases 1 to 4 in short and
// extended form), for the OpenPGP card emulator.

export interface DecodedCommand {
  cla: number;
  ins: number;
  p1: number;
  p2: number;
  data: Uint8Array;
  /** Expected response length; 0 when the command has no Le field. */
  le: number;
  extended: boolean;
}

export function decodeCommandApdu(bytes: Uint8Array): DecodedCommand | undefined {
  if (bytes.length < 4) return undefined;
  const [cla, ins, p1, p2] = [bytes[0]!, bytes[1]!, bytes[2]!, bytes[3]!];
  const body = bytes.subarray(4);
  const base = { cla, ins, p1, p2 };

  if (body.length === 0) return { ...base, data: new Uint8Array(0), le: 0, extended: false };
  if (body.length === 1)
    return { ...base, data: new Uint8Array(0), le: body[0] || 256, extended: false };

  if (body[0] !== 0) {
    // Short form: Lc, data, optional Le.
    const lc = body[0]!;
    if (body.length === 1 + lc) return { ...base, data: body.slice(1), le: 0, extended: false };
    if (body.length === 2 + lc) {
      return { ...base, data: body.slice(1, 1 + lc), le: body[1 + lc] || 256, extended: false };
    }
    return undefined;
  }

  // Extended form: 00, then Le (2 bytes) alone, or Lc (2 bytes), data and optional Le (2 bytes).
  if (body.length === 3)
    return {
      ...base,
      data: new Uint8Array(0),
      le: (body[1]! << 8) | body[2]! || 65536,
      extended: true,
    };
  const lc = (body[1]! << 8) | body[2]!;
  if (body.length === 3 + lc) return { ...base, data: body.slice(3), le: 0, extended: true };
  if (body.length === 5 + lc) {
    const le = (body[3 + lc]! << 8) | body[4 + lc]!;
    return { ...base, data: body.slice(3, 3 + lc), le: le || 65536, extended: true };
  }
  return undefined;
}
