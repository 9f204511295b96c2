// The compiled Electron main process (dist-electron/main.mjs), loaded under Node.js with a
// stand-in for the `electron` module. Checked: that it uses the window options and CSP that
// window-options.test.ts checks, the app: protocol, and the denial of navigation, new windows
// and permissions. Also one IPC route per MailApi method, each rejecting foreign frames. It
// also opens a data folder, which loads the native SQLite driver.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAIL_API_METHODS } from '@sealpost/ui';
import { APP_START_URL, createWindowOptions } from '../../src/main/window-options.ts';
import { contentSecurityPolicy } from '../../src/shell/bundle-files.ts';
import { builtBundles } from './built-bundles.ts';

const LOADER = fileURLToPath(new URL('./load-main.mjs', import.meta.url));
const home = mkdtempSync(path.join(os.tmpdir(), 'sealpost-built-main-'));

interface MainReport {
  schemesBeforeReady: number;
  privilegedSchemes: Array<{ scheme: string; privileges: Record<string, boolean> }>;
  protocolSchemes: string[];
  ipcChannels: string[];
  windowCount: number;
  windowOptions: Record<string, unknown>;
  preloadExists: boolean;
  loadedUrls: string[];
  willNavigatePrevented: boolean | null;
  willAttachWebviewPrevented: boolean | null;
  windowOpen: Record<string, { action: string } | null>;
  openedExternally: string[];
  permissionGranted: boolean | null;
  permissionCheck: boolean | undefined;
  responses: Record<
    string,
    { status: number; contentType: string | null; contentSecurityPolicy: string | null }
  >;
  calls: Record<string, { ok: boolean; value?: unknown; error?: { code: string } }>;
}

let report: MainReport;
let bundles: { main: string; preload: string };

beforeAll(async () => {
  bundles = await builtBundles();
  const output = execFileSync(process.execPath, [LOADER, bundles.main], {
    env: { ...process.env, SEALPOST_HOME: home },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const line = output.split('\n').find((entry) => entry.startsWith('REPORT '));
  if (!line) throw new Error(`load-main.mjs printed no report:\n${output}`);
  report = JSON.parse(line.slice('REPORT '.length)) as MainReport;
});

afterAll(() => {
  rmSync(home, { recursive: true, force: true });
});

describe('built main window', () => {
  // window-options.test.ts checks what each option must be; here the bundle must use them all.
  it('uses the checked window options', () => {
    expect(report.windowCount).toBe(1);
    expect(report.windowOptions).toEqual(createWindowOptions(bundles.preload));
    expect(report.preloadExists).toBe(true);
  });

  it('has the keychain helper beside it', () => {
    // OsKeychain runs keychain-call.mjs from the folder of the module that contains it.
    expect(existsSync(path.join(path.dirname(bundles.main), 'keychain-call.mjs'))).toBe(true);
  });

  it('loads the app protocol, not a file', () => {
    expect(report.loadedUrls).toEqual([APP_START_URL]);
  });
});

describe('built main protocol', () => {
  it('registers app: before ready', () => {
    expect(report.schemesBeforeReady).toBe(1);
    expect(report.privilegedSchemes).toEqual([
      { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
    ]);
    expect(report.protocolSchemes).toEqual(['app']);
  });

  it('serves index.html with the CSP', () => {
    const index = report.responses['app://sealpost/index.html']!;
    expect(index.status).toBe(200);
    expect(index.contentType).toBe('text/html; charset=utf-8');
    // window-options.test.ts checks the directives of this policy.
    expect(index.contentSecurityPolicy).toBe(contentSecurityPolicy(''));
  });

  it('serves nothing outside the bundle', () => {
    expect(report.responses['app://sealpost/%2e%2e/package.json']!.status).toBe(404);
    expect(report.responses['app://sealpost/.hidden']!.status).toBe(404);
  });
});

describe('built main denials', () => {
  it('prevents navigation and webviews', () => {
    expect(report.willNavigatePrevented).toBe(true);
    expect(report.willAttachWebviewPrevented).toBe(true);
  });

  it('denies every window.open', () => {
    for (const result of Object.values(report.windowOpen)) {
      expect(result).toEqual({ action: 'deny' });
    }
  });

  it('opens only web links externally', () => {
    expect(report.openedExternally).toEqual(['https://example.org/']);
  });

  it('denies permission requests and checks', () => {
    expect(report.permissionGranted).toBe(false);
    expect(report.permissionCheck).toBe(false);
  });
});

describe('built main IPC', () => {
  it('handles every MailApi method', () => {
    expect([...report.ipcChannels].sort()).toEqual([...MAIL_API_METHODS].sort());
  });

  it('rejects foreign and missing frames', () => {
    expect(report.calls.foreign).toMatchObject({ ok: false, error: { code: 'SENDER_REJECTED' } });
    expect(report.calls.missingFrame).toMatchObject({
      ok: false,
      error: { code: 'SENDER_REJECTED' },
    });
    expect(report.calls.app).toMatchObject({ ok: true });
  });

  it('opens a data folder with native modules', () => {
    expect(report.calls.unlock).toMatchObject({ ok: true, value: { unlocked: true } });
    expect(report.calls.folders).toEqual({ ok: true, value: [] });
  });
});
