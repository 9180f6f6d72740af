// Starts the real browser host (the built bundle, as `npm start` runs it) in a child process,
// with its own data directory, and finds its URL in its output.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { ASTRONAUT } from '../fixtures/paths';

export const root = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
export const screensDir = join(root, 'test-results', 'screens');

export interface Host {
  url: string;
  proc: ChildProcess;
  output: string[];
  stop(): Promise<void>;
  kill(): Promise<void>;
}

export async function startHost(dataDir: string, env: Record<string, string> = {}): Promise<Host> {
  const bundle = join(root, 'dist', 'main', 'browser-host.cjs');
  if (!existsSync(bundle)) throw new Error('dist/main/browser-host.cjs missing: run `npm run build` first');
  const proc = spawn(process.execPath, [bundle], {
    cwd: root,
    env: { ...process.env, KIOSK_DATA_DIR: dataDir, KIOSK_PORT: '0', KIOSK_PHONE_PORT: '0', KIOSK_LOG_QUIET: '1', ...BACK_TO_BACK, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const url = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`host did not start:\n${output.join('')}`)), 60_000);
    proc.stdout!.on('data', (b: Buffer) => {
      output.push(b.toString());
      const m = output.join('').match(/KIOSK_URL=(\S+)/);
      if (m) {
        clearTimeout(timer);
        ok(m[1]!);
      }
    });
    proc.stderr!.on('data', (b: Buffer) => output.push(b.toString()));
    proc.on('exit', (code) => fail(new Error(`host exited (${code}):\n${output.join('')}`)));
  });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  return {
    url,
    proc,
    output,
    stop: async () => {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      await exited;
    },
    kill: async () => {
      proc.kill('SIGKILL');
      await exited;
    },
  };
}

/** A looping fake camera made from the public-domain portrait fixture (Chromium plays .y4m files). */
/** One test file's Chromium (with the fake camera) and the hosts it starts; all closed after the file. */
export interface KioskBrowser {
  readonly browser: Browser;
  readonly hosts: Host[];
  /** The file's scratch folder (camera stream, data folders). */
  readonly work: string;
}

export function useKioskBrowser(prefix: string, cameraFixture?: string): KioskBrowser {
  const work = mkdtempSync(join(tmpdir(), prefix));
  const hosts: Host[] = [];
  let browser: Browser | null = null;
  beforeAll(async () => {
    browser = await launchChromium(fakeCamera(work, cameraFixture));
  });
  afterAll(async () => {
    await browser?.close();
    for (const h of hosts) await h.stop().catch(() => undefined);
  });
  return {
    hosts,
    work,
    get browser(): Browser {
      if (!browser) throw new Error('Chromium is not running (its beforeAll failed)');
      return browser;
    },
  };
}

export function fakeCamera(dir: string, fixture = ASTRONAUT): string {
  mkdirSync(dir, { recursive: true });
  const out = join(dir, 'camera.y4m');
  if (!existsSync(out)) {
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-loop', '1', '-i', fixture, '-vf', 'scale=-2:720,pad=1280:720:(ow-iw)/2:0:color=0x402020,format=yuv420p', '-frames:v', '5', '-r', '5', '-f', 'yuv4mpegpipe', out]);
  }
  return out;
}

export async function launchChromium(camera: string): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.KIOSK_CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      `--use-file-for-fake-video-capture=${camera}`,
    ],
  });
}

export async function kioskPage(browser: Browser, url: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
  await context.grantPermissions(['camera'], { origin: new URL(url).origin });
  const page = await context.newPage();
  await page.goto(url);
  return { context, page };
}

/** A phone: small touch screen, mobile WeChat-like user agent. */
export async function phoneContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    userAgent:
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.50',
  });
}

/**
 * Waits until the page looks the way a customer would see it once it stops moving: web fonts
 * loaded, images decoded, and every finite animation and CSS transition (screen-in, count-pop,
 * slide cross-fades) finished; infinite ones (spinners, pulses) are part of the look and ignored.
 * Gives up after `timeoutMs` and says which animations were still running, rather than hang.
 */
export async function settle(page: Page, timeoutMs = 8_000): Promise<string[]> {
  return page.evaluate(async (timeout) => {
    const deadline = performance.now() + timeout;
    const frame = () => new Promise((r) => requestAnimationFrame(() => r(undefined)));
    await document.fonts.ready;
    for (;;) {
      // Two frames first: an animation started by the last render appears only after it.
      await frame();
      await frame();
      const moving = document.getAnimations().filter((a) => a.playState === 'running' && Number.isFinite(a.effect?.getComputedTiming().endTime ?? Infinity));
      const loading = [...document.images].filter((img) => !img.complete);
      if (moving.length === 0 && loading.length === 0) return [];
      const left = deadline - performance.now();
      if (left <= 0) {
        return moving.map((a) => (a instanceof CSSAnimation ? `animation ${a.animationName}` : a instanceof CSSTransition ? `transition ${a.transitionProperty}` : 'animation'));
      }
      const done = Promise.all([...moving.map((a) => a.finished.catch(() => undefined)), ...loading.map((img) => img.decode().catch(() => undefined))]);
      await Promise.race([done, new Promise((r) => setTimeout(r, Math.min(left, 1_000)))]);
    }
  }, timeoutMs);
}

let shot = 0;
/**
 * Saves test-results/screens/<test file>-<nn>-<name>.png once the page has settled (see `settle`);
 * the file prefix keeps the numbering of each E2E file apart.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(screensDir, { recursive: true });
  const still = await settle(page);
  if (still.length > 0) console.warn(`screenshot ${name}: still moving after 8 s: ${[...new Set(still)].join(', ')}`);
  const file = basename(expect.getState().testPath ?? 'e2e').replace(/\.e2e\.test\.ts$/, '');
  await page.screenshot({ path: join(screensDir, `${file}-${String(++shot).padStart(2, '0')}-${name}.png`) });
}

/** The operator's way in: five quick taps on the brand (the hidden gesture), then the PIN on the pad. */
export async function unlockAdmin(page: Page, pin: string): Promise<void> {
  await page.getByTestId('screen-attract').waitFor();
  const brand = page.locator('.top-bar .brand').first();
  for (let i = 0; i < 5; i++) await brand.dispatchEvent('pointerdown');
  await page.getByTestId('admin-pin').waitFor({ timeout: 5000 });
  await page.getByTestId('admin-pin-clear').click();
  for (const d of pin) await page.getByTestId(`admin-pin-key-${d}`).click();
  await page.getByTestId('admin-pin-ok').click();
  await page.getByTestId('admin-tab-health').waitFor();
}

/** Width and height in points of each page of a PDF (reads the MediaBox entries). */
export function pdfPageSizes(pdf: Buffer): { w: number; h: number }[] {
  const text = pdf.toString('latin1');
  return [...text.matchAll(/\/MediaBox\s*\[\s*([\d.-]+)\s+([\d.-]+)\s+([\d.-]+)\s+([\d.-]+)\s*\]/g)].map((m) => ({
    w: Number(m[3]) - Number(m[1]),
    h: Number(m[4]) - Number(m[2]),
  }));
}

export function writeJson(path: string, data: unknown): void {
  writeFileSync(path, JSON.stringify(data, null, 2));
}

/** Orders in E2E tests come back to back: the free try's cool-down (one try per 30 s per kiosk) and
 * daily budget would hold back every try after the first (both are tested in orders/sale.test.ts).
 * startHost uses it unless a test sets its own values. */
export const BACK_TO_BACK = { KIOSK_FREE_COOLDOWN_SEC: '0', KIOSK_FREE_DAILY_BUDGET: '10000' } as const;
