// The table of operations the ratchet worker runs, with their argument and result types. The
// client (client.ts) and the worker entry (worker.ts) share it, so a request and its handler
// cannot drift apart. Every operation is synchronous and runs only inside the worker thread.
import { openSealed, sealForRecipients } from './content.ts';
import {
  decryptForPeer,
  encryptWithSession,
  readFirstMessageInfo,
  startSession,
} from './peer-sessions.ts';
import {
  encodeIdentityDhKey,
  encodePrekeySecret,
  generateIdentityDhKey,
  generatePrekey,
  type RotationPolicy,
} from './prekeys.ts';

export const operations = {
  generateIdentityKey(): { identityKey: Uint8Array; publicKey: Uint8Array } {
    const key = generateIdentityDhKey();
    try {
      return { identityKey: encodeIdentityDhKey(key), publicKey: key.publicKey };
    } finally {
      key.secretKey.fill(0);
    }
  },

  generatePrekey(input: {
    identityPublicKey: Uint8Array;
    fingerprint: string;
    now: number;
    policy?: RotationPolicy;
  }) {
    const { secret, bundleBytes } = generatePrekey(input);
    try {
      return {
        prekeyId: secret.prekeyId,
        prekeySecret: encodePrekeySecret(secret),
        bundleBytes,
        createdAt: secret.createdAt,
        expiresAt: secret.expiresAt,
      };
    } finally {
      secret.signedPrekey.secretKey.fill(0);
      secret.kemPrekey.secretKey.fill(0);
    }
  },

  startSession,
  encrypt: encryptWithSession,
  decrypt: decryptForPeer,
  readFirstMessageInfo(input: { message: Uint8Array; identityPublicKey: Uint8Array }) {
    return readFirstMessageInfo(input.message, input.identityPublicKey);
  },
  seal: sealForRecipients,
  open: openSealed,
};

export type Operations = typeof operations;
export type OperationName = keyof Operations;
export type OperationInput<Name extends OperationName> = Parameters<Operations[Name]>[0];
export type OperationResult<Name extends OperationName> = ReturnType<Operations[Name]>;

export interface WorkerRequest {
  id: number;
  operation: OperationName;
  input: unknown;
}

export type WorkerResponse =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; code: string; message: string };
