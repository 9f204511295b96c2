// Card service for OpenPGP cards over PC/SC. It reports a card's status, moves an identity's
// Ed25519 signing key and Curve25519 decryption subkey onto it, and binds an identity to keys
// already on it. It signs and decrypts for send and read, with PIN prompts. The on-disk copy
// of a moved key is destroyed only after a test signature and a test decryption on the card
// succeeded. Key checks run before a PIN is sent, so a wrong card never costs a PIN try.
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Store } from '@sealpost/storage';
import {
  decryptWithExternalEcdh,
  decryptWithSessionKey,
  encryptAndSign,
  signDetachedWithExternalSigner,
  unwrapSessionKeyWithExternalEcdh,
  type SignatureResult,
} from '@sealpost/crypto-core';
import {
  HardwareTokenError,
  type ApplicationData,
  type OpenPgpCard,
} from '@sealpost/hardware-token';
import type { AuditLog } from '../audit-log.ts';
import { CoreError } from '../errors.ts';
import type { KeyService } from '../keys.ts';
import {
  clearCardBinding,
  readCardBinding,
  writeCardBinding,
  type CardBinding,
} from './card-binding.ts';
import type { PinPrompt } from './card-pin.ts';
import {
  cardEcdh,
  cardSigner,
  fingerprintBytes,
  hex,
  requireBoundCard,
  underPin,
  withCard,
  type CardConnectionOptions,
} from './card-connection.ts';
import { readCardKeyMaterial } from './card-key-material.ts';

export interface CardStatus {
  readerName: string;
  serial: string;
  /** OpenPGP card specification version, e.g. "3.4". */
  version: string;
  manufacturer: number;
  userPinRetries: number;
  adminPinRetries: number;
  signatureFingerprint: string | null;
  decryptionFingerprint: string | null;
  authenticationFingerprint: string | null;
  /** Own addresses whose keys Sealpost uses on this card. */
  boundAddresses: string[];
}

export interface CardDecryption {
  data: Uint8Array;
  /** Uppercase hex fingerprint of the card's decryption subkey. */
  subkeyFingerprint: string;
  /** Signatures inside the encrypted message, checked as decryptAndVerify checks them. */
  signatures: SignatureResult[];
}

export interface CardVerification {
  verificationCertificates: Array<string | Uint8Array>;
  expectedSignerAddress?: string;
}

export type CardServiceOptions = CardConnectionOptions;

const noPrompt: PinPrompt = async () => null;

export class CardService {
  #prompt: PinPrompt = noPrompt;

  constructor(
    private readonly store: Store,
    private readonly keys: KeyService,
    private readonly log: Logger,
    private readonly audit: AuditLog,
    private readonly options: CardServiceOptions = {},
  ) {}

  /** Sets the PIN prompt of the front end; without one every PIN request is cancelled. */
  setPinPrompt(prompt: PinPrompt): void {
    this.#prompt = prompt;
  }

  binding(address: string): CardBinding | null {
    return readCardBinding(this.store, address);
  }

  async status(): Promise<CardStatus> {
    return withCard(this.options, this.log, async (card) => this.#statusOf(card));
  }

  /**
   * Imports the identity's signing key and classical decryption subkey into the card (admin
   * PIN), checks them with a test signature and a test decryption (user PIN), and then records
   * the binding. With `keepDiskCopy` false the stored secret key is replaced by a stub without
   * secret material, and the certificate loses the ML-KEM subkey, which no card can hold.
   */
  async moveKey(input: { address: string; keepDiskCopy: boolean }): Promise<CardBinding> {
    const identity = this.#identity(input.address);
    if (this.binding(identity.address)) {
      throw new CoreError(
        'INVALID_ARGUMENT',
        `The key of ${identity.address} is already on a card; "sealpost card status" shows which.`,
      );
    }
    const material = await readCardKeyMaterial(
      await this.keys.exportUnprotectedForCard(identity.address),
    );
    try {
      return await withCard(this.options, this.log, async (card) => {
        await underPin(
          this.#prompt,
          card,
          'admin',
          `import the key of ${identity.address}`,
          async (pin) => {
            await card.importKey('signature', 'ed25519', material.signingSeed, pin);
            await card.importKey('decryption', 'x25519', material.decryptionSecret, pin);
            await card.setKeyMetadata(
              'signature',
              fingerprintBytes(material.primaryFingerprint),
              material.primaryCreated,
            );
            await card.setKeyMetadata(
              'decryption',
              fingerprintBytes(material.subkeyFingerprint),
              material.subkeyCreated,
            );
          },
        );
        const binding: CardBinding = {
          address: identity.address,
          serial: card.applicationData.serial,
          signatureFingerprint: material.primaryFingerprint,
          decryptionFingerprint: material.subkeyFingerprint,
          diskCopy: input.keepDiskCopy,
          boundAt: new Date().toISOString(),
        };
        await this.#verifyCardKeys(card, binding, identity.certificate);

        this.store.transaction(`move key of ${identity.address} to card ${binding.serial}`, () => {
          if (!input.keepDiskCopy) {
            this.store.identityKeys.updateAll([
              {
                fingerprint: identity.fingerprint,
                secretKey: material.stub,
                certificate: material.classicalCertificate,
              },
            ]);
          }
          writeCardBinding(this.store, binding);
        });
        this.audit.record('export', identity.fingerprint, {
          part: 'card-import',
          serial: binding.serial,
          diskCopy: input.keepDiskCopy,
        });
        this.log.info(
          {
            fingerprint: identity.fingerprint,
            serial: binding.serial,
            diskCopy: input.keepDiskCopy,
          },
          'key moved to card',
        );
        return binding;
      });
    } finally {
      material.wipe();
    }
  }

  /**
   * Binds an identity to the keys already on the card: the card's signature key must be the
   * identity's primary key and its decryption key one of the identity's subkeys. A test
   * signature and a test decryption (user PIN) confirm it before the binding is stored.
   */
  async useKey(input: { address: string }): Promise<CardBinding> {
    const identity = this.#identity(input.address);
    return withCard(this.options, this.log, async (card) => {
      const data = card.applicationData;
      const signature = hex(data.fingerprints.signature);
      const decryption = hex(data.fingerprints.decryption);
      if (signature !== identity.fingerprint.toUpperCase() || decryption === null) {
        throw new HardwareTokenError(
          'CARD_KEY_MISMATCH',
          `The card ${data.serial} holds signature key ${signature ?? '(none)'}, but the key of ${identity.address} is ${identity.fingerprint}. Insert the card that holds this key, or move the key with "sealpost card move-key".`,
        );
      }
      // TODO: binding an address without a stored identity (keys generated on the card, certificate built with buildCertificateForExternalKeys) is not offered yet.
      const binding: CardBinding = {
        address: identity.address,
        serial: data.serial,
        signatureFingerprint: signature,
        decryptionFingerprint: decryption,
        // Binding again keeps the record of a disk copy that moveKey destroyed.
        diskCopy: this.binding(identity.address)?.diskCopy ?? true,
        boundAt: new Date().toISOString(),
      };
      await this.#verifyCardKeys(card, binding, identity.certificate);
      writeCardBinding(this.store, binding);
      this.log.info({ fingerprint: identity.fingerprint, serial: data.serial }, 'card key bound');
      return binding;
    });
  }

  /** Stops using the card for `address`; allowed only while the on-disk copy still exists. */
  forget(address: string): void {
    const binding = this.#requireBinding(address);
    if (!binding.diskCopy) {
      throw new CoreError(
        'KEY_UNUSABLE',
        `The only copy of the secret key of ${binding.address} is on card ${binding.serial}; Sealpost keeps using the card.`,
      );
    }
    clearCardBinding(this.store, binding.address);
  }

  /** Returns an armored detached signature over `data`, made by the card bound to `address`. */
  async signDetached(address: string, data: Uint8Array): Promise<string> {
    const binding = this.#requireBinding(address);
    const certificate = this.keys.exportCertificate(binding.address);
    const signature = await this.#withBoundCard(binding, (card) =>
      underPin(this.#prompt, card, 'user', `sign as ${binding.address}`, (pin) =>
        signDetachedWithExternalSigner({
          data,
          certificate,
          sign: cardSigner(card, binding, pin),
        }),
      ),
    );
    this.audit.countSignature(binding.signatureFingerprint.toLowerCase());
    return signature;
  }

  /**
   * Decrypts `message` with the card bound to `address`: the card computes the ECDH shared
   * secret (PSO:DECIPHER), Sealpost unwraps the session key, decrypts, and verifies the
   * signatures inside the message with `verification`, as decryptAndVerify would.
   */
  async decrypt(
    address: string,
    message: string,
    verification: CardVerification,
  ): Promise<CardDecryption> {
    const binding = this.#requireBinding(address);
    const certificate = this.keys.exportCertificate(binding.address);
    const sessionKey = await this.#withBoundCard(binding, (card) =>
      underPin(this.#prompt, card, 'user', `decrypt a message to ${binding.address}`, (pin) =>
        unwrapSessionKeyWithExternalEcdh({
          message,
          certificate,
          ecdh: cardEcdh(card, binding, pin),
        }),
      ),
    );
    try {
      const decrypted = await decryptWithSessionKey({
        message,
        sessionKey: { algorithm: sessionKey.algorithm, data: sessionKey.data },
        verificationCertificates: verification.verificationCertificates,
        expectedSignerAddress: verification.expectedSignerAddress,
      });
      return {
        data: decrypted.data,
        subkeyFingerprint: sessionKey.subkeyFingerprint.toUpperCase(),
        signatures: decrypted.signatures,
      };
    } finally {
      sessionKey.data.fill(0);
    }
  }

  /** Test signature and decryption through the card, so a bad import never costs the disk copy. */
  async #verifyCardKeys(
    card: OpenPgpCard,
    binding: CardBinding,
    certificate: string,
  ): Promise<void> {
    const probe = new Uint8Array(randomBytes(32));
    const encrypted = await encryptAndSign({
      data: probe,
      recipientCertificates: [certificate],
      encryptToSigner: false,
      mode: 'classical',
    });
    await underPin(
      this.#prompt,
      card,
      'user',
      `test the card keys of ${binding.address}`,
      async (pin) => {
        await signDetachedWithExternalSigner({
          data: probe,
          certificate,
          sign: cardSigner(card, binding, pin),
        });
        const decrypted = await decryptWithExternalEcdh({
          message: encrypted,
          certificate,
          ecdh: cardEcdh(card, binding, pin),
        });
        if (Buffer.compare(Buffer.from(decrypted.data), Buffer.from(probe)) !== 0) {
          throw new HardwareTokenError(
            'CARD_KEY_MISMATCH',
            `The test decryption on card ${binding.serial} returned other data than was encrypted; the disk copy was kept.`,
          );
        }
      },
    );
  }

  #statusOf(card: OpenPgpCard): CardStatus {
    const data: ApplicationData = card.applicationData;
    const boundAddresses = this.keys
      .list()
      .map((identity) => this.binding(identity.address))
      .filter((binding): binding is CardBinding => binding?.serial === data.serial)
      .map((binding) => binding.address);
    return {
      readerName: card.readerName,
      serial: data.serial,
      version: data.version,
      manufacturer: data.manufacturer,
      userPinRetries: data.pinStatus.retries.user,
      adminPinRetries: data.pinStatus.retries.admin,
      signatureFingerprint: hex(data.fingerprints.signature),
      decryptionFingerprint: hex(data.fingerprints.decryption),
      authenticationFingerprint: hex(data.fingerprints.authentication),
      boundAddresses,
    };
  }

  /** Opens the card bound to `binding`; another card raises CARD_KEY_MISMATCH before any PIN. */
  async #withBoundCard<T>(
    binding: CardBinding,
    action: (card: OpenPgpCard) => Promise<T>,
  ): Promise<T> {
    return withCard(this.options, this.log, async (card) => {
      requireBoundCard(card, binding);
      return action(card);
    });
  }

  #identity(address: string) {
    const identity = this.store.identities.getByAddress(address.toLowerCase());
    if (!identity) {
      throw new CoreError(
        'IDENTITY_NOT_FOUND',
        `There is no key for ${address}; create one with "sealpost key generate --address ${address}".`,
      );
    }
    return identity;
  }

  #requireBinding(address: string): CardBinding {
    const binding = this.binding(address);
    if (!binding) {
      throw new CoreError('KEY_NOT_FOUND', `The key of ${address} is not on a card.`);
    }
    return binding;
  }
}
