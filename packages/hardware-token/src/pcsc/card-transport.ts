// The interface between the OpenPGP card client and a smart card: one command APDU in, one
// response APDU out. PcscCardTransport is the real implementation, over PC/SC (pcsc-lite's
// pcscd through the `pcsclite` binding), and it is the one the tests run too.

export interface CardTransport {
  /** Reader name as PC/SC reports it, for messages. */
  readonly readerName: string;
  /** Sends one command APDU and returns the raw response APDU (data and status word). */
  transmit(command: Uint8Array): Promise<Uint8Array>;
  /** Releases the card; safe to call twice. */
  close(): Promise<void>;
}
