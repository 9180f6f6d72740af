// The sale as the product plan designs it (issue 15), in real Chromium against the browser host:
// the free path (one watermarked try taken away by QR, nothing billed beyond one image), a ¥9.9
// order (four pictures after payment, the family picks one and its 微动态 effect) and a ¥29.9
// order (four from the enhanced model, printed). Each counts the taps from the attract screen to
// the payment QR (at most five) and leaves screenshots in test-results/screens/.
import Database from 'better-sqlite3';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { startJimengSimulator } from '../electron/sim/jimeng/simulator';
import { PEOPLE_DIR } from '../fixtures/paths';
import { kioskPage, phoneContext, screenshot, startHost, useKioskBrowser } from './kioskHost';

const suite = useKioskBrowser('kiosk-sale-e2e-');
const { hosts, work } = suite;

const tid = (page: Page, id: string) => page.getByTestId(id);
const CONTACT = '客服电话 400-800-1234';

/** Whether the element is really in view: the topmost thing at its centre, inside the window. */
function onScreen(page: Page, id: string): Promise<boolean> {
  return tid(page, id).evaluate((el) => {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.bottom > innerHeight || r.right > innerWidth || r.top < 0) return false;
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return !!hit && (el === hit || el.contains(hit));
  });
}

/** Counts the family's taps: every tap on the main path goes through here. */
class Taps {
  n = 0;
  async tap(page: Page, id: string): Promise<void> {
    this.n++;
    await tid(page, id).click();
  }
}

function dbOf(dataDir: string) {
  return new Database(join(dataDir, 'kiosk.sqlite'), { readonly: true, fileMustExist: true });
}

/**
 * attract → consent+product (富贵变身) → style → shoot → (the try is made by itself) → package.
 * Returns the taps counted up to and including the package tap.
 */
async function upToPackage(page: Page, name: string, packageId: string): Promise<Taps> {
  const taps = new Taps();
  await tid(page, 'screen-attract').waitFor();
  await taps.tap(page, 'attract-start');
  await tid(page, 'screen-consent').waitFor();
  await screenshot(page, `${name}-consent`);
  await taps.tap(page, 'consent-product-makeover');
  await tid(page, 'screen-style').waitFor();
  // The style tiles show a sample picture of the style.
  expect(await tid(page, 'style-gugong').evaluate((el) => getComputedStyle(el).backgroundImage)).toContain('samples/gugong');
  await screenshot(page, `${name}-style`);
  await taps.tap(page, 'style-gugong');
  await tid(page, 'screen-capture').waitFor();
  await expect.poll(async () => (await tid(page, 'capture-guidance').textContent()) ?? '', { timeout: 30_000 }).toMatch(/1/);
  await taps.tap(page, 'capture-shoot');
  await page.locator('[data-testid="capture-photo-0"][data-ok="true"]').waitFor({ timeout: 30_000 });
  await screenshot(page, `${name}-capture`);
  // No "下一步": the try starts by itself once the photo is good.
  await tid(page, 'screen-package').waitFor({ timeout: 90_000 });
  await tid(page, 'package-try-img').waitFor({ state: 'visible', timeout: 60_000 });
  await expect.poll(() => tid(page, 'package-try-img').evaluate((el) => (el as HTMLImageElement).naturalWidth), { timeout: 10_000 }).toBeGreaterThan(0);
  await screenshot(page, `${name}-package`);
  await taps.tap(page, `package-${packageId}`);
  return taps;
}

async function payOnPhone(codeUrl: string): Promise<void> {
  const phone = await phoneContext(suite.browser);
  const p = await phone.newPage();
  await p.goto(codeUrl);
  await tid(p, 'sim-pay-confirm').click();
  await tid(p, 'sim-pay-success').waitFor();
  await phone.close();
}

/** The pay QR is on screen: the main path ends here. Returns its URL. */
async function payQr(page: Page, name: string, taps: Taps): Promise<string> {
  const qr = tid(page, 'pay-qr');
  await qr.waitFor();
  await screenshot(page, `${name}-pay`);
  console.log(`RESULT ${name}_taps_to_payment_qr=${taps.n}`);
  expect(taps.n).toBeLessThanOrEqual(5);
  return (await qr.getAttribute('data-code-url'))!;
}

/** After payment: the other pictures arrive; the family taps one, an effect, and confirms. */
async function choose(page: Page, name: string, index: number, effect: string): Promise<void> {
  await tid(page, 'choose-panel').waitFor({ timeout: 30_000 });
  for (let i = 0; i < 4; i++) await page.locator(`[data-testid="choose-${i}"][data-status="ready"]`).waitFor({ timeout: 120_000 });
  await tid(page, `choose-${index}`).click();
  await tid(page, `effect-${effect}`).click();
  await screenshot(page, `${name}-choose`);
  await tid(page, 'choose-confirm').click();
}

/**
 * On the phone's download page: the card tab, a template, an emoji the card cannot draw (said so),
 * the family's message, the card drawn by the kiosk; then the card's own page as WeChat reads it.
 */
async function makeCard(downloadUrl: string): Promise<void> {
  const phone = await phoneContext(suite.browser);
  const p = await phone.newPage();
  await p.goto(downloadUrl);
  await tid(p, 'download-photo').waitFor({ timeout: 30_000 });
  await tid(p, 'download-card-tab').click();
  await tid(p, 'card-template-tuanyuan').click();
  await tid(p, 'card-message').fill('新年快乐🧧');
  await tid(p, 'card-save').click();
  expect(await tid(p, 'card-problem').getAttribute('data-problem')).toBe('emoji');
  const message = '祝爷爷奶奶身体健康，<b>新春快乐</b>！';
  await tid(p, 'card-message').fill(message);
  expect(await tid(p, 'card-count').textContent()).toBe(`${Array.from(message).length}/40`);
  await screenshot(p, 'digital-phone-card-form');
  await tid(p, 'card-save').click();
  const img = tid(p, 'card-image');
  await img.waitFor({ timeout: 30_000 });
  await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth), { timeout: 15_000 }).toBe(1080);
  await img.scrollIntoViewIfNeeded();
  await screenshot(p, 'digital-phone-card');

  // The card's page, shared in WeChat: title, description and thumbnail in the head; the card in the body.
  const link = (await tid(p, 'card-link').getAttribute('href'))!;
  await p.goto(link);
  const meta = (sel: string) => p.locator(sel).getAttribute('content');
  expect(await p.title()).toBe('团圆照相馆 · 新春全家福贺卡');
  expect(await meta('meta[property="og:title"]')).toBe('团圆照相馆 · 新春全家福贺卡');
  expect(await meta('meta[property="og:description"]')).toBe(message); // the family's words, as text
  expect(await meta('meta[itemprop="description"]')).toBe(message);
  const thumbUrl = (await meta('meta[property="og:image"]'))!;
  expect(thumbUrl).toMatch(/^http:\/\/.+\/p\/card\/[A-Za-z0-9_-]+\/thumb\.jpg\?v=1$/);
  const thumb = await p.request.get(thumbUrl);
  expect(thumb.headers()['content-type']).toBe('image/jpeg');
  const size = await sharp(await thumb.body()).metadata();
  expect([size.width, size.height]).toEqual([300, 300]);
  expect(await p.locator('#message').textContent()).toBe(message);
  expect(await p.locator('b').count()).toBe(0); // the typed <b> is text, not markup
  await expect.poll(() => p.locator('#card').evaluate((el) => (el as HTMLImageElement).naturalWidth), { timeout: 15_000 }).toBe(1080);
  await screenshot(p, 'digital-card-page');
  await phone.close();
}

/** A kiosk whose AI is the Jimeng simulator (it counts what would be billed), without the free-try cool-down. */
async function jimengKiosk(dataDir: string) {
  const sim = await startJimengSimulator({ latency: { kind: 'fixed', ms: 300 } });
  const host = await startHost(dataDir, {
    KIOSK_GENERATOR: 'jimeng',
    JIMENG_ENDPOINT: sim.url,
    JIMENG_ACCESS_KEY: sim.accessKey,
    JIMENG_SECRET_KEY: sim.secretKey,
    KIOSK_FREE_COOLDOWN_SEC: '0',
  });
  hosts.push(host);
  return { sim, host };
}

describe('the sale: try, then buy (browser host, real Chromium)', () => {
  it('free: one watermarked try, taken away by QR; one image billed, no payment', async () => {
    const dataDir = join(work, 'free');
    // The operator's after-sales contact (admin setting sale.afterSalesContact), as config.json holds it.
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ sale: { afterSalesContact: CONTACT } }, null, 2));
    const { sim, host } = await jimengKiosk(dataDir);
    try {
      const { context, page } = await kioskPage(suite.browser, host.url);
      const taps = await upToPackage(page, 'free', 'free');
      console.log(`RESULT free_taps_to_takeaway_qr=${taps.n}`);
      expect(taps.n).toBeLessThanOrEqual(5);
      await tid(page, 'screen-deliver').waitFor({ timeout: 20_000 });
      const dl = tid(page, 'deliver-download-qr');
      await dl.waitFor({ timeout: 30_000 });
      const code = (await tid(page, 'deliver-order-code').getAttribute('data-code'))!;
      expect(code).toMatch(/^[A-Z0-9_-]{6}$/);
      // The family reads the code and whom to call on the screen…
      const codeLine = (await tid(page, 'deliver-order-code').textContent()) ?? '';
      expect(codeLine).toContain(code);
      expect(codeLine).toContain(CONTACT);
      expect(await tid(page, 'deliver-card-hint').count()).toBe(0);
      await screenshot(page, 'free-deliver');
      expect(await onScreen(page, 'deliver-order-code')).toBe(true);
      // The phone gets the try as it was shown: watermarked, screen-sized (not the full-resolution file).
      const phone = await phoneContext(suite.browser);
      const p = await phone.newPage();
      await p.goto((await dl.getAttribute('data-url'))!);
      const img = tid(p, 'download-photo');
      await img.waitFor({ timeout: 20_000 });
      await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth), { timeout: 10_000 }).toBeGreaterThan(0);
      expect(await img.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBeLessThanOrEqual(1024);
      // …and again on their phone, once they have left the kiosk.
      expect(await tid(p, 'download-order-code').textContent()).toContain(code);
      expect(await tid(p, 'download-after-sales').textContent()).toContain(CONTACT);
      expect(await tid(p, 'download-after-sales').isVisible()).toBe(true);
      // The free take-away is the watermarked picture alone: no greeting card (that comes with a package).
      expect(await tid(p, 'download-card-tab').count()).toBe(0);
      await screenshot(p, 'free-phone-download');
      await phone.close();
      await context.close();
      expect(sim.stats.submits).toBe(1);
      expect(sim.stats.billedImages).toBeLessThanOrEqual(1);
      const db = dbOf(dataDir);
      const row = db.prepare("SELECT state, amount_fen, package_id FROM orders WHERE state != 'abandoned' ORDER BY created_at DESC LIMIT 1").get();
      const trades = db.prepare('SELECT COUNT(*) AS n FROM payments').get();
      db.close();
      expect(row).toEqual({ state: 'delivered', amount_fen: 0, package_id: 'free' });
      expect(trades).toEqual({ n: 0 });
    } finally {
      await host.stop();
      await sim.close();
    }
  });

  it('¥9.9: five taps to the QR, then four pictures to choose from and the 微动态 effect', async () => {
    const dataDir = join(work, 'digital');
    const host = await startHost(dataDir, { KIOSK_FREE_COOLDOWN_SEC: '0' });
    hosts.push(host);
    const { context, page } = await kioskPage(suite.browser, host.url);
    const taps = await upToPackage(page, 'digital', 'digital');
    const codeUrl = await payQr(page, 'digital', taps);
    await payOnPhone(codeUrl);
    await tid(page, 'screen-deliver').waitFor({ timeout: 20_000 });
    await choose(page, 'digital', 2, 'lanterns');
    await tid(page, 'deliver-download-qr').waitFor({ timeout: 60_000 });
    await screenshot(page, 'digital-deliver');
    expect(await tid(page, 'deliver-card-hint').textContent()).toContain('贺卡');
    expect(await onScreen(page, 'deliver-order-code')).toBe(true);
    await makeCard((await tid(page, 'deliver-download-qr').getAttribute('data-url'))!);
    await context.close();
    await expect
      .poll(() => {
        const db = dbOf(dataDir);
        const r = db.prepare('SELECT state FROM orders WHERE amount_fen = 990').get() as { state: string } | undefined;
        db.close();
        return r?.state;
      }, { timeout: 30_000 })
      .toBe('delivered');
    const db = dbOf(dataDir);
    const row = db.prepare('SELECT picked_index, motion_effect, generation_round FROM orders WHERE amount_fen = 990').get();
    const variants = db.prepare("SELECT COUNT(*) AS n FROM variants v JOIN orders o ON o.id = v.order_id WHERE o.amount_fen = 990 AND v.round = 2 AND v.status = 'ready'").get();
    db.close();
    expect(row).toEqual({ picked_index: 2, motion_effect: 'lanterns', generation_round: 2 });
    expect(variants).toEqual({ n: 4 });
    await host.stop();
  });

  it('¥29.9: five taps, four pictures from the enhanced model (Jimeng simulator), printed', async () => {
    const dataDir = join(work, 'premium');
    const { sim, host } = await jimengKiosk(dataDir);
    try {
      const { context, page } = await kioskPage(suite.browser, host.url);
      const taps = await upToPackage(page, 'premium', 'premium');
      expect(sim.stats.submits).toBe(1); // nothing more before the money is in
      const codeUrl = await payQr(page, 'premium', taps);
      await payOnPhone(codeUrl);
      await tid(page, 'screen-deliver').waitFor({ timeout: 20_000 });
      await choose(page, 'premium', 1, 'fireworks');
      await page.locator('[data-testid="deliver-print-status"][data-status="done"]').waitFor({ timeout: 60_000 });
      await screenshot(page, 'premium-deliver');
      // Beside the print's progress and the download QR, the order code is still on screen (not scrolled away).
      expect(await onScreen(page, 'deliver-order-code')).toBe(true);
      expect(await onScreen(page, 'deliver-download-qr')).toBe(true);
      await context.close();
      // The try (standard) plus four enhanced pictures, no failures to retry here.
      expect(sim.stats.submits).toBe(5);
      const db = dbOf(dataDir);
      const row = db.prepare('SELECT state, picked_index, motion_effect FROM orders WHERE amount_fen = 2990').get();
      db.close();
      expect(row).toMatchObject({ picked_index: 1, motion_effect: 'fireworks' });
    } finally {
      await host.stop();
      await sim.close();
    }
  });
  it('富贵变身 from an existing family photo sent from a phone: the try is made from it, no camera shot', async () => {
    const dataDir = join(work, 'makeover-phone');
    const host = await startHost(dataDir);
    hosts.push(host);
    const { context, page } = await kioskPage(suite.browser, host.url);
    await tid(page, 'screen-attract').waitFor();
    await tid(page, 'attract-start').click();
    await tid(page, 'consent-product-makeover').click();
    await tid(page, 'style-hongmu').click();
    await tid(page, 'screen-capture').waitFor();
    // The family has a photo of everyone already (the product's premise): they send it from a phone.
    await tid(page, 'capture-phone-upload').click();
    const qr = tid(page, 'capture-phone-qr');
    await qr.waitFor();
    await screenshot(page, 'makeover-phone-qr');
    const phone = await phoneContext(suite.browser);
    const p = await phone.newPage();
    await p.goto((await qr.getAttribute('data-url'))!);
    await tid(p, 'upload-file').setInputFiles(join(PEOPLE_DIR, 'oval_office_two.jpg'));
    await tid(p, 'upload-preview').waitFor();
    await tid(p, 'upload-send').click();
    await p.locator('[data-testid="upload-result"][data-ok="true"]').waitFor({ timeout: 90_000 });
    await screenshot(p, 'makeover-phone-upload');
    await phone.close();
    // The kiosk shows it, and (one photo is all 富贵变身 takes) starts the try by itself.
    await page.locator('[data-testid="capture-photo-0"][data-ok="true"]').waitFor({ timeout: 30_000 });
    await screenshot(page, 'makeover-phone-capture');
    await tid(page, 'screen-package').waitFor({ timeout: 90_000 });
    const img = tid(page, 'package-try-img');
    await img.waitFor({ state: 'visible', timeout: 60_000 });
    await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth), { timeout: 10_000 }).toBeGreaterThan(0);
    await screenshot(page, 'makeover-phone-try');
    await context.close();
    const db = dbOf(dataDir);
    const order = db.prepare("SELECT id, product_id, style_id, generation_round FROM orders WHERE state = 'generated'").get() as { id: string; product_id: string; style_id: string; generation_round: number };
    const photos = db.prepare('SELECT source, ok FROM photos WHERE order_id = ? AND removed = 0').all(order.id);
    const tries = db.prepare("SELECT COUNT(*) AS n FROM variants WHERE order_id = ? AND status = 'ready'").get(order.id);
    db.close();
    expect(order).toMatchObject({ product_id: 'makeover', style_id: 'hongmu', generation_round: 1 });
    expect(photos).toEqual([{ source: 'phone', ok: 1 }]); // made from the phone's photo alone
    expect(tries).toEqual({ n: 1 });
    await host.stop();
  });
});
