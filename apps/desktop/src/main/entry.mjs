// Electron's entry point: registers tsx so the TypeScript main process runs without a build
// step, then loads it.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
