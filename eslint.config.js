// Lint rules, including the import boundaries between the process layers (ARCHITECTURE.md §2-3).
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'child_process', 'crypto', 'http', 'https', 'net', 'worker_threads', 'stream', 'url', 'util', 'zlib'];

// Simulators (electron/sim/) and test kits (electron/main/testing/, native/**/testing/) serve tests,
// benchmarks and dev tools only; production code must not reach them, however deep the relative path.
const testOnlyCode = [
  { regex: '(^|/)sim/', message: 'Simulators (electron/sim/) are for tests and dev tools, never production code.' },
  { regex: '(^|/)testing(/|$)', message: 'Test kits (electron/main/testing/, native/**/testing/) are for tests only.' },
];
const productionCode = ['electron/**/*.ts', 'renderer/src/**/*.ts', 'renderer/src/**/*.tsx', 'native/**/*.ts'];
const notProduction = ['electron/sim/**', 'electron/main/testing/**', 'native/**/testing/**', '**/*.test.ts', '**/*.test.tsx'];
// The Electron shell: the only files that need Electron's APIs. Everything else runs under plain
// Node too (the browser host, the CLIs, the tests); Electron's services reach it as injected seams
// (safeStorage → platform.cipher, silent print → platform.printPdf, ipcMain → bindIpc's argument).
const electronShell = [
  'electron/main/index.ts', // app, protocols, session hardening, safeStorage, ipcMain
  'electron/main/windows/**/*.ts', // BrowserWindow: the kiosk window and the hidden print window
  'electron/preload/**/*.ts', // contextBridge + ipcRenderer: window.kiosk
];

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
    // Production code outside the Electron shell: no simulators, no test kits, no `electron`.
    // (typescript-eslint's copy of the rule, so the layer rules below, on the core rule, still apply.)
    files: productionCode,
    ignores: [...notProduction, ...electronShell],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'Only the Electron shell (electron/main/index.ts, electron/main/windows/, electron/preload/) imports electron; pass what you need in as a seam.' }],
        patterns: testOnlyCode,
      }],
    },
  },
  {
    // The Electron shell: `electron` allowed, simulators and test kits still not.
    files: electronShell,
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: testOnlyCode }] },
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
    // Build config and dev tools run in Node, not in the kiosk's page.
    ignores: ['renderer/vite.config.ts', 'renderer/dev/**'],
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
