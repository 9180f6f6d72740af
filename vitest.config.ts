import { defineConfig } from 'vitest/config';

// Unit and integration tests live beside the code; the browser E2E suite has its own config.
export default defineConfig({
  test: {
    include: ['electron/**/*.test.ts', 'native/**/*.test.ts', 'renderer/**/*.test.ts', 'renderer/**/*.test.tsx', 'scripts/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Keep the JSON log lines out of the test output (errors still print).
    env: { KIOSK_LOG_QUIET: '1' },
    reporters: ['default', './scripts/summary-reporter.ts'],
  },
});
