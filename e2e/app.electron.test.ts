// The Electron host itself, where Electron exists (`npm run test:electron`; CI on hosted Windows and
// Linux runners). Playwright's _electron starts the built main bundle as `npm start` does and checks
// what only the Electron host can get wrong: the window on the app:// origin, the preload exposing
// exactly the contract's window.kiosk (no Node, no ipcRenderer), a call over IPC, the lockdown
// (navigation and new windows refused), the camera granted only to the app's own page, and a silent
// print of the admin test page through the system's default printer into a PDF.
// No skip anywhere: without Electron's binary or the PDF printer this fails and says why.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KioskApi } from '../electron/shared/contract';
import { pdfPageSizes, root } from './kioskHost';

const PIN = '481516';
/** Where the default printer writes its PDFs: cups-pdf's folder (scripts/ci-cups-setup.sh) or the CI's. */
const printOutput = process.env.KIOSK_TEST_PRINT_OUTPUT ?? process.env.KIOSK_CUPS_PDF_OUT ?? '/var/spool/cups-pdf/kiosk';

/** The surface the contract defines; a key added to KioskApi without one here fails the type check. */
const contractSurface: Record<keyof KioskApi, true> = { host: true, invoke: true, on: true, mediaUrl: true };

function electronBinary(): string {
  let path: unknown = null;
  try {
    path = createRequire(import.meta.url)('electron');
  } catch {
    path = null;
  }
  if (typeof path !== 'string' || !existsSync(path)) {
    throw new Error("Electron's binary is not installed (npm could not download the optional dependency 'electron'): run `npm install` where the Electron release site is reachable.");
  }
  return path;
}

let app: ElectronApplication;
let win: Page;
let dataDir: string;
let other: Server;

beforeAll(async () => {
  const bundle = join(root, 'dist', 'main', 'electron-main.cjs');
  if (!existsSync(bundle)) throw new Error('dist/main/electron-main.cjs missing: run `npm run build` first');
  dataDir = mkdtempSync(join(tmpdir(), 'kiosk-electron-'));
  app = await _electron.launch({
    executablePath: electronBinary(),
    // A fake camera: hosted runners have none. The permission handler still decides who gets it.
    args: ['--use-fake-device-for-media-stream', bundle],
    cwd: root,
    env: {
      ...(process.env as Record<string, string>),
      KIOSK_DATA_DIR: dataDir,
      KIOSK_PHONE_PORT: '0',
      KIOSK_ADMIN_PIN: PIN,
      KIOSK_PRINTER: 'electron',
      KIOSK_LOG_QUIET: '1',
    },
    timeout: 120_000,
  });
  win = await app.firstWindow({ timeout: 120_000 });
  await win.waitForSelector('[data-testid="screen-attract"]', { timeout: 120_000 });
  // A page on another origin, to ask for the camera from there.
  other = createServer((_req, res) => res.end('<!doctype html><title>elsewhere</title>'));
  await new Promise<void>((r) => other.listen(0, '127.0.0.1', () => r()));
});

afterAll(async () => {
  await app?.close();
  await new Promise((r) => (other ? other.close(r) : r(undefined)));
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('the Electron host', () => {
  it('opens one kiosk window on the app:// origin', async () => {
    expect(win.url()).toMatch(/^app:\/\/kiosk\//);
    expect(app.windows()).toHaveLength(1);
    // The window the shell made is the one on screen, not a devtools or print window.
    expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().filter((w) => w.isVisible()).length)).toBe(1);
  });

  it('the preload exposes exactly the contract surface as window.kiosk, and nothing of Node or IPC', async () => {
    const seen = await win.evaluate(() => {
      const w = window as unknown as Record<string, unknown> & { kiosk: Record<string, unknown> };
      return {
        keys: Object.keys(w.kiosk).sort(),
        host: w.kiosk.host,
        frozen: Object.isFrozen(w.kiosk) || !Object.getOwnPropertyDescriptor(w, 'kiosk')?.writable,
        node: ['require', 'process', 'module', 'Buffer', 'ipcRenderer', 'electron'].filter((k) => k in w),
      };
    });
    expect(seen).toEqual({ keys: Object.keys(contractSurface).sort(), host: 'electron', frozen: true, node: [] });
  });

  it('a contract call round-trips over IPC; unknown calls and bad input are refused', async () => {
    const catalog = await win.evaluate(() => (window as unknown as { kiosk: KioskApi }).kiosk.invoke('app:get-catalog', {}));
    expect(catalog.ok).toBe(true);
    expect(catalog.ok && catalog.value.products.length).toBeGreaterThan(0);
    const unknown = await win.evaluate(() => (window as unknown as { kiosk: { invoke: (n: string, i: unknown) => Promise<unknown> } }).kiosk.invoke('fs:read', {}));
    expect(unknown).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CALL' } });
    const bad = await win.evaluate(() => (window as unknown as { kiosk: { invoke: (n: string, i: unknown) => Promise<unknown> } }).kiosk.invoke('order:get', { orderId: 42 }));
    expect(bad).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    // An event reaches the page over IPC too: consent opens an order and order:changed follows.
    const changed = await win.evaluate(
      () =>
        new Promise<string>((resolve) => {
          const k = (window as unknown as { kiosk: KioskApi }).kiosk;
          const off = k.on('order:changed', (o) => {
            off();
            resolve(o.state);
          });
          void k.invoke('session:accept-consent', { lang: 'zh', consent: true });
          setTimeout(() => resolve('no event'), 10_000);
        }),
    );
    expect(changed).not.toBe('no event');
  });

  it('lockdown: the page cannot navigate away or open a window', async () => {
    await win.evaluate(() => {
      window.location.href = 'https://example.com/';
    });
    await win.waitForTimeout(1_500);
    expect(win.url()).toMatch(/^app:\/\/kiosk\//);
    const opened = await win.evaluate(() => window.open('https://example.com/', '_blank') === null);
    await win.waitForTimeout(1_000);
    expect(opened).toBe(true);
    expect(app.windows()).toHaveLength(1);
    expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1);
  });

  it('the camera is granted to the app page only (and the microphone to nobody)', async () => {
    const here = await win.evaluate(async () => {
      const ask = async (c: MediaStreamConstraints) => {
        try {
          const s = await navigator.mediaDevices.getUserMedia(c);
          const n = s.getTracks().length;
          s.getTracks().forEach((t) => t.stop());
          return `granted ${n}`;
        } catch (e) {
          return (e as Error).name;
        }
      };
      return { camera: await ask({ video: true }), microphone: await ask({ audio: true }) };
    });
    expect(here).toEqual({ camera: 'granted 1', microphone: 'NotAllowedError' });
    const url = `http://127.0.0.1:${(other.address() as AddressInfo).port}/`;
    const elsewhere = await app.evaluate(async ({ BrowserWindow }, target) => {
      const w = new BrowserWindow({ show: false, webPreferences: { sandbox: true, contextIsolation: true } });
      try {
        await w.loadURL(target);
        return (await w.webContents.executeJavaScript(
          'navigator.mediaDevices.getUserMedia({ video: true }).then((s) => { s.getTracks().forEach((t) => t.stop()); return "granted"; }, (e) => e.name)',
        )) as string;
      } finally {
        w.destroy();
      }
    }, url);
    expect(elsewhere).toBe('NotAllowedError');
  });

  it('prints the admin test page silently through the default printer into a PDF', async () => {
    if (!existsSync(printOutput)) {
      throw new Error(`print output folder ${printOutput} missing: make a PDF printer the default (Linux: sudo bash scripts/ci-cups-setup.sh && sudo lpadmin -d kiosk-pdf) or set KIOSK_TEST_PRINT_OUTPUT`);
    }
    const started = Date.now();
    const before = new Set(readdirSync(printOutput));
    const result = await win.evaluate(async (pin) => {
      const k = (window as unknown as { kiosk: KioskApi }).kiosk;
      const unlocked = await k.invoke('admin:unlock', { pin });
      if (!unlocked.ok) return unlocked;
      return k.invoke('admin:test-print', { token: unlocked.value.token });
    }, PIN);
    expect(result).toMatchObject({ ok: true, value: { printed: true } });
    let pdf: Buffer | null = null;
    for (let i = 0; i < 120 && !pdf; i++) {
      const fresh = readdirSync(printOutput).filter((f) => f.toLowerCase().endsWith('.pdf') && (!before.has(f) || statSync(join(printOutput, f)).mtimeMs >= started));
      const file = fresh[0] && join(printOutput, fresh[0]);
      if (file && statSync(file).size > 1_000) pdf = readFileSync(file);
      else await new Promise((r) => setTimeout(r, 500));
    }
    expect(pdf, `no PDF appeared in ${printOutput}`).not.toBeNull();
    expect(pdf!.subarray(0, 5).toString()).toBe('%PDF-');
    // One page at a photo paper size (the test page is 6×4 in: 432 × 288 pt, either way round).
    const sizes = pdfPageSizes(pdf!);
    expect(sizes.length).toBeGreaterThan(0);
    const [a, b] = [Math.max(sizes[0]!.w, sizes[0]!.h), Math.min(sizes[0]!.w, sizes[0]!.h)];
    expect([Math.round(a), Math.round(b)]).toEqual([432, 288]);
  });
});
