// The Electron window's security options and the checks main applies, asserted without
// Electron: sandboxed renderer, isolation, no Node, web security on, custom protocol, a CSP
// without inline script or remote origins (except https: images for an allowed message), no
// external link schemes but http(s) and mailto, and where a packaged app finds its bundle.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  APP_START_URL,
  createWindowOptions,
  isExternalLink,
  isTrustedSenderUrl,
} from '../../src/main/window-options.ts';
import {
  contentSecurityPolicy,
  packagedBundleDir,
  readBundleFile,
} from '../../src/shell/bundle-files.ts';
import { ensureRendererBundle } from '../../src/shell/renderer-bundle.ts';

describe('Electron window options', () => {
  it('lock the renderer down', () => {
    const web = createWindowOptions('/app/dist-electron/preload.cjs').webPreferences;
    expect(web.sandbox).toBe(true);
    expect(web.contextIsolation).toBe(true);
    expect(web.nodeIntegration).toBe(false);
    expect(web.nodeIntegrationInWorker).toBe(false);
    expect(web.nodeIntegrationInSubFrames).toBe(false);
    expect(web.webSecurity).toBe(true);
    expect(web.allowRunningInsecureContent).toBe(false);
    expect(web.webviewTag).toBe(false);
    expect(web.preload).toBe('/app/dist-electron/preload.cjs');
  });

  it('load the app from its own protocol', () => {
    expect(APP_START_URL).toBe('app://sealpost/index.html');
    expect(APP_START_URL.startsWith('file:')).toBe(false);
  });

  it('trust only app frames as senders', () => {
    expect(isTrustedSenderUrl('app://sealpost/index.html')).toBe(true);
    expect(isTrustedSenderUrl('about:srcdoc')).toBe(false);
    expect(isTrustedSenderUrl('app://other/index.html')).toBe(false);
    expect(isTrustedSenderUrl('file:///etc/passwd')).toBe(false);
    expect(isTrustedSenderUrl('http://127.0.0.1/')).toBe(false);
  });

  it('open only web and mail links externally', () => {
    expect(isExternalLink('https://example.org/')).toBe(true);
    expect(isExternalLink('mailto:bob@example.org')).toBe(true);
    expect(isExternalLink('file:///etc/passwd')).toBe(false);
    expect(isExternalLink('javascript:alert(1)')).toBe(false);
    expect(isExternalLink('smb://host/share')).toBe(false);
  });
});

describe('renderer content security policy', () => {
  const policy = contentSecurityPolicy('');
  const directives = new Map(
    policy.split('; ').map((directive) => {
      const [name, ...values] = directive.split(' ');
      return [name!, values];
    }),
  );

  it('allows no remote origin but https images and no inline script', () => {
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('connect-src')).toEqual(["'none'"]);
    // https: images are for message frames after "Load remote images"; see contentSecurityPolicy.
    expect(directives.get('img-src')).toEqual(["'self'", 'data:', 'blob:', 'https:']);
    for (const [name, values] of directives) {
      for (const value of values) {
        if (name === 'img-src' && value === 'https:') continue;
        expect(value).not.toMatch(/^(https?:|\*|'unsafe-eval')/);
      }
    }
    expect(policy).not.toMatch(/script-src[^;]*unsafe-inline/);
  });

  it('bundle has no inline script', async () => {
    const bundle = await ensureRendererBundle();
    const index = readBundleFile(bundle, '/')!.body.toString('utf8');
    expect(index).toMatch(
      /<script type="module" crossorigin src="\.\/assets\/[^"]+\.js"><\/script>/,
    );
    expect(index).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });

  it('bundle files never leave the bundle folder', async () => {
    const bundle = await ensureRendererBundle();
    expect(readBundleFile(bundle, '/../package.json')).toBeNull();
    expect(readBundleFile(bundle, '/%2e%2e/package.json')).toBeNull();
    expect(readBundleFile(bundle, '/assets/../../vite.config.ts')).toBeNull();
    expect(readBundleFile(bundle, '/.hidden')).toBeNull();
    expect(readBundleFile(bundle, '/index.html')?.contentType).toBe('text/html; charset=utf-8');
  });
});

describe('packaged renderer bundle', () => {
  it('is found under the resources folder', () => {
    const resources = mkdtempSync(path.join(os.tmpdir(), 'sealpost-resources-'));
    try {
      expect(packagedBundleDir(undefined)).toBeNull();
      expect(packagedBundleDir(resources)).toBeNull();

      mkdirSync(path.join(resources, 'renderer'));
      writeFileSync(path.join(resources, 'renderer', 'index.html'), '<!doctype html>');
      expect(packagedBundleDir(resources)).toBe(path.join(resources, 'renderer'));
    } finally {
      rmSync(resources, { recursive: true, force: true });
    }
  });
});
