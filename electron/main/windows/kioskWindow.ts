// The one kiosk window: full screen, sandboxed, no zoom or pinch, shortcuts blocked, and the
// page reloaded when its renderer process dies (a crash must not leave a frozen screen).
import { BrowserWindow } from 'electron';
import { logger } from '../infra/log';

const log = logger('window');

export interface KioskWindowOptions {
  preload: string;
  url: string;
  kiosk: boolean;
  devTools: boolean;
  onShortcut: (input: { key: string; control: boolean; meta: boolean; alt: boolean; shift: boolean }) => boolean;
}

export function createKioskWindow(opts: KioskWindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    width: 1920,
    height: 1080,
    kiosk: opts.kiosk,
    fullscreen: opts.kiosk,
    autoHideMenuBar: true,
    backgroundColor: '#8b0000',
    show: false,
    webPreferences: {
      preload: opts.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      spellcheck: false,
      devTools: opts.devTools,
      disableBlinkFeatures: 'Auxclick',
    },
  });
  win.setMenu(null);
  win.once('ready-to-show', () => win.show());
  const wc = win.webContents;
  // Pinch and ctrl-wheel zoom off: children love to zoom the screen into uselessness.
  void wc.setVisualZoomLevelLimits(1, 1);
  wc.on('zoom-changed', () => wc.setZoomFactor(1));
  wc.on('before-input-event', (event, input) => {
    if (input.type === 'keyDown' && opts.onShortcut(input)) event.preventDefault();
  });
  wc.on('render-process-gone', (_e, details) => {
    log.error('renderer.gone', { reason: details.reason, exitCode: details.exitCode });
    if (!win.isDestroyed()) setTimeout(() => void win.loadURL(opts.url), 1000);
  });
  wc.on('unresponsive', () => {
    log.warn('renderer.unresponsive');
    if (!win.isDestroyed()) wc.forcefullyCrashRenderer();
  });
  void win.loadURL(opts.url);
  return win;
}
