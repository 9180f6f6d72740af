// Lint rules, including the import boundaries between the process layers (ARCHITECTURE.md §2-3).
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'child_process', 'crypto', 'http', 'https', 'net', 'worker_threads', 'stream', 'url', 'util', 'zlib'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-results/**', 'bench-results/**', '.tmp/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // CommonJS build hooks (electron-builder loads them with require).
    files: ['**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Pure code shared by every process, and the on-device compute: never Electron.
    files: ['electron/shared/**/*.ts', 'native/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'electron/shared and native/ must run outside Electron too.' }] }],
    },
  },
  {
    // The contract is pure TypeScript: no Node built-ins either.
    files: ['electron/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'electron/shared must stay pure.' }],
        patterns: [{ group: nodeBuiltins, message: 'electron/shared must stay pure (no node:*).' }],
      }],
    },
  },
  {
    // The renderer talks to the main process only through the contract and the bridge.
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    ignores: ['renderer/vite.config.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'The renderer reaches main only through window.kiosk / the HTTP bridge.' }],
        patterns: [
          { group: nodeBuiltins, message: 'The renderer runs in a sandboxed browser: no Node built-ins.' },
          { group: ['**/electron/main/**', '**/electron/preload/**', '**/electron/browser-host/**', '**/native/**'], message: 'The renderer may import only electron/shared from outside renderer/.' },
        ],
      }],
    },
  },
);
