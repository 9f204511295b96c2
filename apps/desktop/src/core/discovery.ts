// Key discovery on request: Web Key Directory (draft-koch-openpgp-webkey-service) and a VKS
// key server (the keys.openpgp.org API). A found certificate goes through the same rules as
// an Autocrypt key: it must carry a User ID with the looked-up address, and it is pinned only
// when no key is pinned yet, otherwise recorded as changed. Nothing is looked up
// automatically, and there is no default VKS server: the caller names it.

import type { Logger } from 'pino';
import { lookupVksByEmail, lookupWkd, type KeyLookupOptions } from '@sealpost/mail-transport';
import { normalizeAddress } from './addresses.ts';
import type { ContactService } from './contacts.ts';
import { CoreError, errorCode } from './errors.ts';

export interface LookupRequest {
  address: string;
  /** Try the Web Key Directory of the address's domain. Default true. */
  wkd?: boolean;
  /** Base URL of a VKS server, e.g. https://keys.openpgp.org; null skips VKS. */
  vksBaseUrl?: string | null;
  /** Test CA and host mapping for the HTTPS requests. */
  lookup?: KeyLookupOptions;
}

export interface LookupAttempt {
  source: 'wkd' | 'vks';
  /** 'found', 'not-found', 'unusable' (no matching User ID or no encryption key) or 'failed'. */
  result: 'found' | 'not-found' | 'unusable' | 'failed';
  detail: string | null;
}

export interface LookupResult {
  address: string;
  /** The fingerprint recorded, or null when nothing usable was found. */
  fingerprint: string | null;
  source: 'wkd' | 'vks' | null;
  /** 'new', 'unchanged', 'updated' or 'changed-flagged' from the pinning rule, or null. */
  outcome: string | null;
  attempts: LookupAttempt[];
  warnings: string[];
}

export class DiscoveryService {
  constructor(
    private readonly contacts: ContactService,
    private readonly log: Logger,
  ) {}

  /**
   * Looks `address` up by WKD, then by VKS, and records the first usable certificate. Raises
   * KEY_LOOKUP_NOT_FOUND when neither source returns one, naming each attempt.
   */
  async lookup(request: LookupRequest): Promise<LookupResult> {
    const address = normalizeAddress(request.address, 'address');
    const attempts: LookupAttempt[] = [];
    const sources: Array<{ source: 'wkd' | 'vks'; fetch: () => Promise<Uint8Array | null> }> = [];
    if (request.wkd !== false) {
      sources.push({
        source: 'wkd',
        fetch: async () => (await lookupWkd(address, request.lookup))?.keydata ?? null,
      });
    }
    if (request.vksBaseUrl) {
      const base = request.vksBaseUrl;
      sources.push({
        source: 'vks',
        fetch: async () => (await lookupVksByEmail(base, address, request.lookup))?.keydata ?? null,
      });
    }
    if (sources.length === 0) {
      throw new CoreError(
        'INVALID_ARGUMENT',
        'No lookup method is enabled; allow WKD or name a VKS server with --vks-url.',
      );
    }

    for (const { source, fetch } of sources) {
      let keydata: Uint8Array | null;
      try {
        keydata = await fetch();
      } catch (error) {
        this.log.warn({ err: error, source }, 'key lookup failed');
        attempts.push({
          source,
          result: 'failed',
          detail: `${errorCode(error)}: ${(error as Error).message}`,
        });
        continue;
      }
      if (keydata === null) {
        attempts.push({ source, result: 'not-found', detail: null });
        continue;
      }

      const learned = await this.contacts.learn({
        address,
        keydata,
        source,
        preferEncrypt: null,
        seenAt: new Date(),
      });
      if (!learned) {
        attempts.push({
          source,
          result: 'unusable',
          detail: `the certificate has no User ID with ${address} or no valid encryption subkey`,
        });
        continue;
      }
      attempts.push({ source, result: 'found', detail: learned.fingerprint });
      return {
        address,
        fingerprint: learned.fingerprint,
        source,
        outcome: learned.outcome,
        attempts,
        warnings: learned.warnings,
      };
    }

    throw new CoreError(
      'KEY_LOOKUP_NOT_FOUND',
      `No usable key was found for ${address} (${attempts
        .map(
          (attempt) =>
            `${attempt.source}: ${attempt.result}${attempt.detail ? ` (${attempt.detail})` : ''}`,
        )
        .join(
          '; ',
        )}). Ask the contact for their certificate and import it with "sealpost key import FILE".`,
    );
  }
}
