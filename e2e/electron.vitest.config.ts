import { defineConfig } from 'vitest/config';

// `npm run test:electron`: the real Electron host driven by Playwright's _electron. Not part of
// `npm test`: it needs Electron's binary, which npm cannot download on every machine (CI runs it on
// hosted Windows and Linux runners: .github/workflows/electron.yml).
export default defineConfig({
  test: {
    include: ['e2e/**/*.electron.test.ts'],
    environment: 'node',
    testTimeout: 180_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    pool: 'forks',
    reporters: ['default', './scripts/summary-reporter.ts'],
  },
});
