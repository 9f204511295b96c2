// Module resolution hook (node:module register) that resolves the bare specifier `electron`
// to electron-stand-in.mjs, so the built main.mjs loads under Node.js without the binary.

const STAND_IN_URL = new globalThis.URL('./electron-stand-in.mjs', import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'electron') return { url: STAND_IN_URL, shortCircuit: true };
  return nextResolve(specifier, context);
}
