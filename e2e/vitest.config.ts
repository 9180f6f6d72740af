import { defineConfig } from 'vitest/config';

// The browser E2E suite: real Chromium (Debian's) driving the browser host, one file at a time
// (two cores: the kiosk, Chromium and the encoders need them all).
export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.test.ts'],
    environment: 'node',
    testTimeout: 180_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    pool: 'forks',
    reporters: ['default', './scripts/summary-reporter.ts'],
  },
});
