// Builds the object the preload exposes as `window.sealpost`: one function per MailApi method
// (from MAIL_API_METHODS) that invokes the channel of the same name, and `subscribe` for the
// pushed events in MAIL_API_EVENTS. The renderer never sees ipcRenderer itself.

import { MAIL_API_EVENTS, MAIL_API_METHODS } from '@sealpost/ui';
import type { MailApiBridge } from '@sealpost/ui';

/** The part of Electron's ipcRenderer the bridge uses. */
export interface RendererIpc {
  invoke(channel: string, argument: unknown): Promise<unknown>;
  on(channel: string, listener: (event: unknown, payload: unknown) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, payload: unknown) => void): unknown;
}

const EVENT_SET = new Set<string>(MAIL_API_EVENTS);

export function createPreloadBridge(ipc: RendererIpc): MailApiBridge {
  const bridge: Record<string, unknown> = {};
  for (const method of MAIL_API_METHODS) {
    bridge[method] = (request: unknown) => ipc.invoke(method, request);
  }
  bridge.subscribe = (event: string, listener: (payload: unknown) => void) => {
    if (!EVENT_SET.has(event)) throw new Error(`Unknown MailApi event ${event}.`);
    // The IPC event object is dropped so the renderer gets only the payload.
    const forward = (_event: unknown, payload: unknown) => listener(payload);
    ipc.on(event, forward);
    return () => ipc.removeListener(event, forward);
  };
  return Object.freeze(bridge) as MailApiBridge;
}
