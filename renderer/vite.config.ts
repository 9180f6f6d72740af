// Builds the kiosk (index.html) and the phone pages (phone.html) into dist/renderer.
// base './' so the same bundle loads from Electron's custom protocol and from the browser host.
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

const root = decodeURIComponent(new URL('.', import.meta.url).pathname);

/**
 * The phone pages are served at /p/<page>/<token>, two levels deep, so './assets/…' would not
 * resolve; the phone listener (and the browser host) serve dist/renderer/assets at /assets/.
 */
function phoneAssetsAbsolute(): Plugin {
  return {
    name: 'phone-assets-absolute',
    apply: 'build',
    enforce: 'post',
    generateBundle(_options, bundle) {
      const page = bundle['phone.html'];
      if (page && page.type === 'asset' && typeof page.source === 'string') {
        page.source = page.source.replace(/(["(])\.\/assets\//g, '$1/assets/');
      }
    },
  };
}

export default defineConfig({
  root,
  base: './',
  plugins: [react(), phoneAssetsAbsolute()],
  build: {
    outDir: `${root}../dist/renderer`,
    emptyOutDir: true,
    target: 'chrome120',
    rollupOptions: {
      input: { index: `${root}index.html`, phone: `${root}phone.html` },
    },
  },
});
