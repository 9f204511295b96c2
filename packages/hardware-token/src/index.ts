// Public API of @sealpost/hardware-token: the OpenPGP card application over PC/SC (signing and
// ECDH decryption on the card, key generation and import, PIN management) and FIDO2
// hmac-secret key derivation over CTAPHID.
export { HardwareTokenError, PinError, type HardwareTokenErrorCode } from './errors.ts';
export type { CardTransport } from './pcsc/card-transport.ts';
export { PcscCardTransport, type PcscConnectOptions } from './pcsc/pcsc-transport.ts';
export { OpenPgpCard, type CardKeyOperation } from './openpgp-card/openpgp-card.ts';
export { OPENPGP_AID, type PinPurpose } from './openpgp-card/card-commands.ts';
export type {
  ApplicationData,
  CardholderData,
  PinStatus,
} from './openpgp-card/application-data.ts';
export type { AlgorithmAttributes, CardAlgorithm, KeySlot } from './openpgp-card/key-slots.ts';
export type { HidTransport } from './fido2/hid-transport.ts';
export { NodeHidTransport, type FidoDeviceInfo } from './fido2/hid-transport.ts';
export {
  deriveKeyEncryptionKey,
  enrollHmacSecret,
  type DerivedKey,
  type FidoOperationOptions,
  type HmacSecretEnrolment,
} from './fido2/hmac-secret.ts';
