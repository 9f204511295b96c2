// Renderer entry: picks the MailApi bridge (Electron's preload, or the browser shell's
// WebSocket when there is no preload), applies the saved theme and renders the app.

import { createRoot } from 'react-dom/client';
import { MailApiClient, messageOf } from './api-client.ts';
import { App } from './App.tsx';
import { applyTheme, loadTheme } from './theme.ts';
import { connectWebSocketBridge, takeTokenFromLocation } from './ws-bridge.ts';

async function start(root: HTMLElement): Promise<void> {
  applyTheme(loadTheme());
  let bridge = window.sealpost;
  if (!bridge) {
    const token = takeTokenFromLocation();
    if (!token) {
      throw new Error(
        'This page needs the address that "pnpm start" printed, including its #token part.',
      );
    }
    bridge = await connectWebSocketBridge(token);
  }
  createRoot(root).render(<App client={new MailApiClient(bridge)} />);
}

const root = document.getElementById('root')!;
start(root).catch((error: unknown) => {
  const message = document.createElement('p');
  message.className = 'error';
  message.setAttribute('role', 'alert');
  message.textContent = messageOf(error);
  root.replaceChildren(message);
});
