// The MailApi bridge of the browser shell: calls travel as JSON over a WebSocket to the
// shell on 127.0.0.1. The per-start token arrives in the URL fragment (never sent to the
// server with page requests). It is removed from the address bar and kept in this tab's
// sessionStorage, so a reload reconnects and closing the tab discards it.

import { MAIL_API_METHODS } from '../api/contract.ts';
import type { MailApiBridge } from '../api/bridge.ts';
import type { ApiResult } from '../api/result.ts';
import type { MailApiEventName } from '../api/types.ts';

type Listener = (payload: unknown) => void;

const TOKEN_KEY = 'sealpost-shell-token';

export function takeTokenFromLocation(): string | null {
  const match = /(?:^#|&)token=([A-Za-z0-9_-]+)/.exec(window.location.hash);
  if (!match) return window.sessionStorage.getItem(TOKEN_KEY);

  window.history.replaceState(null, '', window.location.pathname);
  window.sessionStorage.setItem(TOKEN_KEY, match[1]!);
  return match[1]!;
}

export async function connectWebSocketBridge(token: string): Promise<MailApiBridge> {
  const url = `ws://${window.location.host}/api?token=${encodeURIComponent(token)}`;
  const socket = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve(), { once: true });
    socket.addEventListener(
      'error',
      () =>
        reject(
          new Error(
            'The connection to the Sealpost shell was refused; restart it with "pnpm start".',
          ),
        ),
      { once: true },
    );
  });

  let nextId = 1;
  const pending = new Map<number, (result: ApiResult<unknown>) => void>();
  const listeners = new Map<string, Set<Listener>>();

  socket.addEventListener('message', (message: MessageEvent<string>) => {
    const frame = JSON.parse(message.data) as
      { id: number; result: ApiResult<unknown> } | { event: string; payload: unknown };
    if ('id' in frame) {
      pending.get(frame.id)?.(frame.result);
      pending.delete(frame.id);
    } else {
      for (const listener of listeners.get(frame.event) ?? []) listener(frame.payload);
    }
  });
  socket.addEventListener('close', () => {
    for (const resolve of pending.values()) {
      resolve({
        ok: false,
        error: {
          code: 'SHELL_DISCONNECTED',
          message: 'The Sealpost shell stopped; start it again.',
        },
      });
    }
    pending.clear();
  });

  const call = (method: string, request: unknown) =>
    new Promise<ApiResult<unknown>>((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      socket.send(JSON.stringify({ id, method, request }));
    });

  const bridge: Record<string, unknown> = {};
  for (const method of MAIL_API_METHODS) {
    bridge[method] = (request: unknown) => call(method, request);
  }
  bridge.subscribe = (event: MailApiEventName, listener: Listener) => {
    const set = listeners.get(event) ?? new Set<Listener>();
    set.add(listener);
    listeners.set(event, set);
    return () => set.delete(listener);
  };
  return bridge as MailApiBridge;
}
