// RatchetMail: ratchet mode in core's mail flow, for SendService, ReadService and negotiation.
// It owns the RatchetClient (the worker thread that runs every ratchet step), started on first
// use, and composes the key rotation, sending, receiving and bundle learning of this folder.

import type { Store } from '@sealpost/storage';
import { RatchetClient, type SignatureResult, type UnlockedKey } from '@sealpost/crypto-core';
import type { ParsedEntity, ParsedMessage } from '@sealpost/mail-transport';
import type { Logger } from 'pino';
import type { ContactService } from '../contacts.ts';
import { CoreError } from '../errors.ts';
import type { KeyService } from '../keys.ts';
import type { Outbox } from '../outbox.ts';
import type { Vault } from '../vault.ts';
import { LocalRatchetKeys } from './local-keys.ts';
import { bundleAttachment, isBundlePart, learnBundles } from './peer-bundles.ts';
import { RatchetReceiver, type RatchetOpened } from './ratchet-receive.ts';
import { RatchetSender, type RatchetSendInput, type RatchetSendResult } from './ratchet-send.ts';

export class RatchetMail {
  #client: RatchetClient | null = null;
  readonly #localKeys: LocalRatchetKeys;
  readonly #sender: RatchetSender;
  readonly #receiver: RatchetReceiver;

  constructor(
    private readonly store: Store,
    private readonly keys: KeyService,
    contacts: ContactService,
    outbox: Outbox,
    vault: () => Vault,
    private readonly log: Logger,
  ) {
    const client = () => (this.#client ??= RatchetClient.start());
    this.#localKeys = new LocalRatchetKeys(store, client, log);
    this.#sender = new RatchetSender(store, client, this.#localKeys, outbox, log);
    this.#receiver = new RatchetReceiver(store, client, keys, contacts, vault, log);
  }

  /** Returns our current prekey bundle as a part for the inner entity of an encrypted message. */
  async bundlePart(address: string, signingKey: UnlockedKey) {
    const fingerprint = this.#fingerprintOf(address);
    return bundleAttachment(
      await this.#localKeys.currentSignedBundle(address, fingerprint, signingKey),
    );
  }

  send(input: Omit<RatchetSendInput, 'fingerprint'>): Promise<RatchetSendResult> {
    return this.#sender.send({ ...input, fingerprint: this.#fingerprintOf(input.from.address) });
  }

  /** Opens stored message `id` if it is a ratchet message; returns null for any other. */
  open(id: number, parsed: ParsedMessage, from: string | null): Promise<RatchetOpened | null> {
    return this.#receiver.open(id, parsed, from);
  }

  /** Stores the sender's prekey bundle from a decrypted OpenPGP message whose signature is valid. */
  async learnBundles(
    from: string | null,
    entity: ParsedEntity,
    signatures: readonly SignatureResult[],
  ): Promise<void> {
    await learnBundles(this.store, this.log, {
      from,
      attachments: entity.attachments,
      signatures,
    });
  }

  /** Removes the prekey bundle parts, which are protocol data and not attachments for the user. */
  withoutBundleParts<T extends { contentType: string }>(attachments: readonly T[]): T[] {
    return attachments.filter((attachment) => !isBundlePart(attachment));
  }

  /** Stops the worker thread. */
  async close(): Promise<void> {
    const client = this.#client;
    this.#client = null;
    await client?.close();
  }

  #fingerprintOf(address: string): string {
    const identity = this.keys.list().find((candidate) => candidate.address === address);
    if (!identity) {
      throw new CoreError(
        'IDENTITY_NOT_FOUND',
        `No key for ${address}; create one with "sealpost key generate --address ${address}".`,
      );
    }
    return identity.fingerprint;
  }
}
