// The renderer runs in a browser, so its files see the DOM types. The Electron preload adds
// `window.sealpost`; the browser shell leaves it undefined and the renderer uses a WebSocket.

/// <reference lib="dom" />
/// <reference lib="dom.iterable" />

import type { MailApiBridge } from '../api/bridge.ts';

declare global {
  interface Window {
    sealpost?: MailApiBridge;
  }
}
