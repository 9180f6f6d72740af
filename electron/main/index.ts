// Electron host bootstrap: single instance, custom schemes, hardened kiosk window, IPC binding.
// Everything else is the shared composition root (app.ts), the same as the browser host's.
import { app, BrowserWindow, ipcMain, net, powerSaveBlocker, protocol, safeStorage, session } from 'electron';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { eventNames } from '../shared/contract';
import { createKiosk, type Kiosk } from './app';
import { bindIpc } from './ipc/bindIpc';
import { bundledFfmpeg, dataDir, resourcePaths } from './infra/paths';
import { resolveInside, safeDecode } from './infra/http';
import { logger } from './infra/log';
import { APP_ORIGIN, ELECTRON_CSP, blockedShortcut, isAppUrl, permissionAllowed } from './security/policy';
import { createKioskWindow } from './windows/kioskWindow';
import { KioskUpdater, updateFeed, type UpdaterLike } from './services/fleet/updater';
import { printPdfSilently } from './windows/printWindow';

const log = logger('electron');
const production = app.isPackaged;

// Both schemes behave like https for the page (secure context: getUserMedia works).
protocol.registerSchemesAsPrivileged([
  { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
  { scheme: 'kiosk-media', privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
]);

// A main-process crash must not leave a mall kiosk on a dead screen: log, relaunch, exit.
// (Paid orders are safe: the reconciler resumes them on the next start.)
process.on('uncaughtException', (e) => {
  log.error('main.crashed', { error: e });
  app.relaunch();
  app.exit(1);
});
process.on('unhandledRejection', (e) => log.error('main.unhandled_rejection', { error: e as Error }));

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    const w = BrowserWindow.getAllWindows()[0];
    if (w) {
      if (w.isMinimized()) w.restore();
      w.focus();
    }
  });
  void app.whenReady().then(start).catch((e) => {
    log.error('start_failed', { error: e as Error });
    app.exit(1);
  });
}

async function start(): Promise<void> {
  const resources = resourcePaths({ packaged: app.isPackaged, resourcesPath: process.resourcesPath });
  // The installed kiosk uses the ffmpeg it ships (a Windows PC has none); FFMPEG_PATH still wins.
  const ffmpeg = app.isPackaged ? bundledFfmpeg() : null;
  if (ffmpeg && !process.env.FFMPEG_PATH) {
    process.env.FFMPEG_PATH = ffmpeg.ffmpeg;
    process.env.FFPROBE_PATH = ffmpeg.ffprobe;
  }
  const kiosk = await createKiosk({
    dataDir: dataDir(app.getPath('userData')),
    host: 'electron',
    version: app.getVersion(),
    resources,
    exit: () => app.quit(),
    platform: {
      cipher: safeStorage.isEncryptionAvailable()
        ? { encrypt: (s) => safeStorage.encryptString(s), decrypt: (b) => safeStorage.decryptString(b) }
        : undefined,
      printPdf: (pdfPath, options) => printPdfSilently(pdfPath, options),
    },
  });

  // Staged updates from the group's channel on OSS (services/fleet/updater.ts); only an installed app updates.
  if (app.isPackaged) void startUpdates(kiosk).catch((e: unknown) => log.error('updates.failed', { error: e as Error }));

  serveSchemes(kiosk, resources.rendererDir, join(resources.assetsDir, 'samples'));
  hardenSession();
  bindIpc(ipcMain, kiosk.handlers, isAppUrl);

  // A kiosk screen must never dim or sleep in the middle of a sale.
  powerSaveBlocker.start('prevent-display-sleep');
  app.setLoginItemSettings({ openAtLogin: production });

  const win = createKioskWindow({
    preload: join(__dirname, 'preload.cjs'),
    url: `${APP_ORIGIN}/index.html`,
    kiosk: production || process.env.KIOSK_FULLSCREEN === '1',
    devTools: !production,
    onShortcut: (input) => blockedShortcut(input, production),
  });
  for (const name of eventNames) {
    kiosk.on(name, (payload) => {
      if (!win.isDestroyed()) win.webContents.send(`event:${name}`, payload);
    });
  }

  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', () => void kiosk.close());
  log.info('ready', { version: app.getVersion(), phone: kiosk.phoneUrl });
}

/**
 * app://kiosk/… serves the built renderer (and /samples/ the attract loop's pictures from assets);
 * kiosk-media://asset/<id> serves screen-safe media.
 */
function serveSchemes(kiosk: Kiosk, rendererDir: string, samplesDir: string): void {
  protocol.handle('app', (req) => {
    const url = new URL(req.url);
    const path = safeDecode(url.pathname) ?? '';
    const samples = path.startsWith('/samples/');
    const file = resolveInside(samples ? samplesDir : rendererDir, samples ? path.slice('/samples'.length) : path);
    if (url.host !== 'kiosk' || !file || !existsSync(file)) return new Response('', { status: 404 });
    return net.fetch(pathToFileURL(file).toString()).then((r) => {
      const headers = new Headers(r.headers);
      if (file.endsWith('.html')) headers.set('Content-Security-Policy', ELECTRON_CSP);
      return new Response(r.body, { status: r.status, headers });
    });
  });
  protocol.handle('kiosk-media', (req) => {
    const url = new URL(req.url);
    const id = safeDecode(url.pathname.slice(1));
    const media = url.host === 'asset' && id !== null ? kiosk.media(id) : null;
    if (!media) return new Response('', { status: 404 });
    return net.fetch(pathToFileURL(media.path).toString());
  });
}

function hardenSession(): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((wc, permission, callback, details) => {
    const mediaTypes = (details as { mediaTypes?: string[] }).mediaTypes ?? [];
    callback(permissionAllowed(permission, wc.getURL(), mediaTypes));
  });
  ses.setPermissionCheckHandler((wc, permission) => permission === 'media' && !!wc && isAppUrl(wc.getURL()));
  // No <webview>, no new windows, no navigation away from the app, for every contents ever created.
  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-attach-webview', (e) => e.preventDefault());
    contents.on('will-navigate', (e, url) => {
      if (!isAppUrl(url)) e.preventDefault();
    });
    contents.on('will-redirect', (e, url) => {
      if (!isAppUrl(url)) e.preventDefault();
    });
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
}

async function startUpdates(kiosk: Kiosk): Promise<void> {
  const feed = updateFeed(kiosk.fleet.config);
  if (!feed) return;
  const { autoUpdater } = await import('electron-updater');
  const updater = new KioskUpdater({ updater: autoUpdater as unknown as UpdaterLike, feed, checkHours: kiosk.fleet.config.updates.checkHours, idle: () => kiosk.fleet.idle() });
  updater.start();
  app.on('before-quit', () => updater.stop());
}
