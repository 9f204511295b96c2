import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '.mail-stack/**', 'coverage/**'] },
  // The renderer bundle that Vite builds from packages/ui/src.
  { ignores: ['packages/ui/dist/**'] },
  // The Electron main and preload bundles and the packages that electron-builder writes.
  { ignores: ['apps/desktop/dist-electron/**', 'apps/desktop/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Plain JavaScript helpers run on Node.js.
    files: ['**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
);
