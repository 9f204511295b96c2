// The compiled preload (dist-electron/preload.cjs), run as Electron runs a sandboxed preload:
// one CommonJS script whose require() provides only `electron`. It must expose exactly the
// MailApi methods and `subscribe` as window.sealpost, each invoking the channel of its name.

import { readFileSync } from 'node:fs';
import vm from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAIL_API_METHODS } from '@sealpost/ui';
import { builtBundles } from './built-bundles.ts';

interface PreloadRun {
  required: string[];
  exposed: Map<string, Record<string, (argument?: unknown) => unknown>>;
  invoked: Array<[string, unknown]>;
}

/** Runs the preload with a require() that, like a sandboxed preload's, resolves only `electron`. */
function runPreload(source: string): PreloadRun {
  const run: PreloadRun = { required: [], exposed: new Map(), invoked: [] };
  const electron = {
    contextBridge: {
      exposeInMainWorld(key: string, api: Record<string, (argument?: unknown) => unknown>) {
        run.exposed.set(key, api);
      },
    },
    ipcRenderer: {
      invoke(channel: string, argument: unknown) {
        run.invoked.push([channel, argument]);
        return Promise.resolve({ ok: true, value: null });
      },
      on() {},
      removeListener() {},
    },
  };
  const sandboxRequire = (name: string) => {
    run.required.push(name);
    if (name === 'electron') return electron;
    throw new Error(`module not found: ${name}`);
  };
  const module = { exports: {} };
  const wrapper = vm.runInNewContext(
    `(function (exports, require, module) {\n${source}\n})`,
    {},
    { filename: 'preload.cjs' },
  ) as (exports: unknown, require: unknown, module: unknown) => void;
  wrapper(module.exports, sandboxRequire, module);
  return run;
}

let run: PreloadRun;

beforeAll(async () => {
  const { preload } = await builtBundles();
  run = runPreload(readFileSync(preload, 'utf8'));
});

describe('built preload', () => {
  it('requires only electron', () => {
    expect(run.required).toEqual(['electron']);
  });

  it('is a script that requires nothing else', async () => {
    const source = readFileSync((await builtBundles()).preload, 'utf8');
    // An import declaration makes this throw: a script, unlike a module, cannot contain one.
    expect(() => new vm.Script(source)).not.toThrow();
    const literals = [...source.matchAll(/\brequire\(\s*(["'`])([^"'`]*)\1\s*\)/g)];
    expect(literals.map((match) => match[2])).toEqual(['electron']);
  });

  it('exposes only window.sealpost', () => {
    expect([...run.exposed.keys()]).toEqual(['sealpost']);
  });

  it('exposes every MailApi method and subscribe', () => {
    const bridge = run.exposed.get('sealpost')!;
    expect(Object.keys(bridge).sort()).toEqual([...MAIL_API_METHODS, 'subscribe'].sort());
  });

  it('invokes the channel of each method', async () => {
    const bridge = run.exposed.get('sealpost')!;
    for (const method of MAIL_API_METHODS) await bridge[method]!({ probe: method });
    expect(run.invoked.map(([channel]) => channel)).toEqual(MAIL_API_METHODS);
    for (const [channel, argument] of run.invoked) expect(argument).toEqual({ probe: channel });
  });

  it('rejects unknown event subscriptions', () => {
    const bridge = run.exposed.get('sealpost')!;
    expect(() => bridge.subscribe!('fs:changed')).toThrow('Unknown MailApi event fs:changed.');
  });
});
