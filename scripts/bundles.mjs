// The main-process bundles esbuild produces (dist/main/<name>.cjs), shared by the build script
// and the packaging test that checks electron-builder ships them.
export const bundles = {
  'electron-main': 'electron/main/index.ts',
  preload: 'electron/preload/index.ts',
  'browser-host': 'electron/browser-host/main.ts',
  worker: 'native/host/worker.ts',
};
