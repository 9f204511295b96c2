import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'apps/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts', 'test/keyring-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Tests share one Dovecot/Postfix stack, so files run one at a time.
    fileParallelism: false,
  },
});
