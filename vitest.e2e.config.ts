import { defineConfig } from 'vitest/config';

/** Browser tests (real Chromium through playwright-core): `npm run test:e2e`. */
export default defineConfig({
  test: {
    // The local tools run on Node 20; the SDK's notice about Node 22 is noise in test output.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    include: ['test/e2e/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    sequence: { concurrent: false },
    pool: 'forks',
  },
});
