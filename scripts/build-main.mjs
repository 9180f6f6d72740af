// Bundles the main-process entry points with esbuild into dist/main/ (CommonJS, Node platform).
// npm packages stay external: native modules (better-sqlite3, sharp, onnxruntime-node) must be
// loaded from node_modules (asar-unpacked in the packaged app), and Electron provides 'electron'.
import { build } from 'esbuild';
import { bundles as entries } from './bundles.mjs';

await build({
  entryPoints: entries,
  outdir: 'dist/main',
  outExtension: { '.js': '.cjs' },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
  // import.meta.url has no meaning in a CJS bundle; infra/paths.ts falls back to __dirname.
  define: { 'import.meta.url': 'undefined' },
});
console.log(`built ${Object.keys(entries).length} main-process bundles into dist/main/`);
