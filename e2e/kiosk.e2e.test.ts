// A family completes an order on the kiosk, in real Chromium, against the real browser host:
// consent → 时空拼图 → two shots from the (fake) camera + an absent relative's photo uploaded from a
// phone → four variants → pick → print package → pay on a "phone" → the print comes out of the real
// CUPS queue (cups-pdf) → download page on a phone. Then, with the PDF printer, the host is
// SIGKILLed right after payment: the restarted kiosk delivers the order exactly once.
import Database from 'better-sqlite3';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { startJimengSimulator } from '../electron/sim/jimeng/simulator';
import { startWeChatPaySimulator } from '../electron/sim/wechatpay/simulator';
import { kioskPage, pdfPageSizes, phoneContext, screenshot, startHost, useKioskBrowser } from './kioskHost';
import { ASTRONAUT } from '../fixtures/paths';

const suite = useKioskBrowser('kiosk-e2e-');
const { hosts, work } = suite;

const tid = (page: Page, id: string) => page.getByTestId(id);

/** An absent relative scans the kiosk's upload QR and sends a photo from the phone. */
async function uploadFromPhone(page: Page, shots: boolean): Promise<void> {
  await tid(page, 'capture-phone-upload').click();
  const qr = tid(page, 'capture-phone-qr');
  await qr.waitFor();
  if (shots) await screenshot(page, 'capture-phone-qr');
  const url = await qr.getAttribute('data-url');
  expect(url).toMatch(/\/p\/upload\/[A-Za-z0-9_-]{20,}$/);
  const phone = await phoneContext(suite.browser);
  const p = await phone.newPage();
  await p.goto(url!);
  await tid(p, 'upload-file').setInputFiles(ASTRONAUT);
  await tid(p, 'upload-send').click();
  const sentAt = Date.now();
  await p.locator('[data-testid="upload-result"][data-ok="true"]').waitFor({ timeout: 30_000 });
  if (shots) await screenshot(p, 'phone-upload');
  await phone.close();
  // The kiosk closes the QR panel by itself once a photo arrives; close it if it is still open.
  if (await tid(page, 'phone-upload-close').isVisible()) await tid(page, 'phone-upload-close').click();
  // The kiosk shows the relative's photo with its check result (product promise: within 2 s).
  await page.locator('[data-testid="capture-photo-2"][data-ok="true"]').waitFor({ timeout: 30_000 });
  console.log(`RESULT phone_upload_to_kiosk_ms=${Date.now() - sentAt}`);
}

/** Walks the kiosk from the attract loop to the pay screen; returns the pay QR's URL. */
async function orderUpToPayment(page: Page, shots: boolean, relative = false): Promise<string> {
  await tid(page, 'screen-attract').waitFor();
  if (shots) await screenshot(page, 'attract');
  await tid(page, 'attract-start').click();
  await tid(page, 'screen-consent').waitFor();
  if (shots) await screenshot(page, 'consent');
  await tid(page, 'consent-agree').click();

  await tid(page, 'product-puzzle').click();
  if (shots) await screenshot(page, 'product');
  if (shots) await screenshot(page, 'style');
  // One tap on a style goes on to the camera (issue 15).
  await tid(page, 'style-gugong').click();

  await tid(page, 'screen-capture').waitFor();
  // Live guidance sees the fake camera's face before the shot.
  await expect.poll(async () => (await tid(page, 'capture-guidance').textContent()) ?? '', { timeout: 20_000 }).toMatch(/1/);
  if (shots) await screenshot(page, 'capture');
  for (let i = 0; i < 2; i++) {
    await tid(page, 'capture-shoot').click();
    await page.locator(`[data-testid="capture-photo-${i}"][data-ok="true"]`).waitFor({ timeout: 30_000 });
  }
  if (shots) await screenshot(page, 'capture-two-shots');
  if (relative) await uploadFromPhone(page, shots);
  await tid(page, 'capture-next').click();

  await tid(page, 'screen-generating').waitFor().catch(() => undefined);
  if (shots) await screenshot(page, 'generating');
  // Try, then buy: one watermarked try, shown beside the packages.
  await tid(page, 'screen-package').waitFor({ timeout: 90_000 });
  await tid(page, 'package-try-img').waitFor({ state: 'visible', timeout: 60_000 });
  if (shots) await screenshot(page, 'package');
  await tid(page, 'package-print').click();
  await tid(page, 'screen-pay').waitFor();
  const qr = tid(page, 'pay-qr');
  await qr.waitFor();
  if (shots) await screenshot(page, 'pay');
  const codeUrl = await qr.getAttribute('data-code-url');
  expect(codeUrl).toMatch(/\/pay\/[A-Za-z0-9_-]{20,}$/); // the simulated page, or the WeChat Pay simulator's
  return codeUrl!;
}

/** The customer's phone opens the QR and confirms the simulated payment; returns when it was confirmed. */
async function payOnPhone(codeUrl: string, shots: boolean): Promise<number> {
  const phone = await phoneContext(suite.browser);
  const p = await phone.newPage();
  await p.goto(codeUrl);
  await tid(p, 'sim-pay-confirm').waitFor();
  if (shots) await screenshot(p, 'phone-pay');
  const confirmed = p.waitForResponse((r) => r.url().endsWith('/confirm') && r.ok()).then(() => Date.now());
  await tid(p, 'sim-pay-confirm').click();
  await tid(p, 'sim-pay-success').waitFor();
  const at = await confirmed;
  await phone.close();
  return at;
}

function dbOf(dataDir: string) {
  return new Database(join(dataDir, 'kiosk.sqlite'), { readonly: true, fileMustExist: true });
}

describe('kiosk end to end (browser host, real Chromium)', () => {
  it('a family orders a print + download and gets both, the print through the real CUPS queue', async () => {
    const dataDir = join(work, 'data-1');
    const queue = process.env.KIOSK_CUPS_QUEUE ?? 'kiosk-pdf';
    const cupsOut = process.env.KIOSK_CUPS_PDF_OUT ?? '/var/spool/cups-pdf/kiosk';
    if (!existsSync(cupsOut)) throw new Error(`CUPS queue ${queue} is not set up (${cupsOut} missing): run scripts/ci-cups-setup.sh`);
    const host = await startHost(dataDir, { KIOSK_PRINTER: 'cups', KIOSK_CUPS_QUEUE: queue });
    hosts.push(host);
    const { context, page } = await kioskPage(suite.browser, host.url);
    const codeUrl = await orderUpToPayment(page, true, true);

    const shown = tid(page, 'pay-success')
      .waitFor({ timeout: 10_000 })
      .then(() => Date.now());
    const paidAt = await payOnPhone(codeUrl, true);
    const detectionMs = (await shown) - paidAt;
    console.log(`RESULT payment_detection_ms=${detectionMs}`);
    expect(detectionMs).toBeLessThan(2000); // the product promise: "支付成功" within 2 s
    await screenshot(page, 'pay-success');

    await tid(page, 'screen-deliver').waitFor({ timeout: 10_000 });
    await page.locator('[data-testid="deliver-print-status"][data-status="done"]').waitFor({ timeout: 60_000 });
    // After payment the screen shows the paid picture itself, full size (previews are ≤ 900 px).
    await expect
      .poll(() => tid(page, 'deliver-photo').evaluate((el) => (el as HTMLImageElement).naturalWidth), { timeout: 10_000 })
      .toBeGreaterThan(900);
    const dl = tid(page, 'deliver-download-qr');
    const downloadUrl = await dl.getAttribute('data-url');
    expect(downloadUrl).toMatch(/\/p\/download\/[A-Za-z0-9_-]{20,}$/);
    await screenshot(page, 'deliver');

    // The print: cups-pdf wrote the job (titled with our job key) as a PDF at 6×4 in
    // (432×288 pt, either orientation) with the picture in it.
    const db0 = dbOf(dataDir);
    const { id: orderId } = db0.prepare('SELECT id FROM orders WHERE amount_fen IS NOT NULL ORDER BY created_at DESC LIMIT 1').get() as { id: string };
    db0.close();
    const pdfs = readdirSync(cupsOut).filter((f) => f.startsWith(`print-${orderId}`) && f.endsWith('.pdf'));
    expect(pdfs).toHaveLength(1);
    const pdf = readFileSync(join(cupsOut, pdfs[0]!));
    const [size] = pdfPageSizes(pdf);
    expect([Math.round(Math.max(size!.w, size!.h)), Math.round(Math.min(size!.w, size!.h))]).toEqual([432, 288]);
    expect(pdf.toString('latin1')).toMatch(/\/Subtype\s*\/Image/);

    // The download page on a phone shows the unwatermarked photo.
    const phone = await phoneContext(suite.browser);
    const p = await phone.newPage();
    await p.goto(downloadUrl!);
    const img = tid(p, 'download-photo');
    await img.waitFor({ timeout: 20_000 });
    await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth), { timeout: 10_000 }).toBeGreaterThan(600);
    await screenshot(p, 'phone-download');
    const src = await img.getAttribute('src');
    const photo = await p.request.get(new URL(src!, downloadUrl!).toString());
    expect(photo.headers()['content-type']).toBe('image/jpeg');
    await phone.close();

    await tid(page, 'deliver-done').click();
    await tid(page, 'screen-thanks').waitFor();
    await screenshot(page, 'thanks');
    await context.close();

    const db = dbOf(dataDir);
    const order = db.prepare("SELECT state, amount_fen FROM orders WHERE state NOT IN ('abandoned') ORDER BY created_at DESC LIMIT 1").get();
    db.close();
    expect(order).toEqual({ state: 'delivered', amount_fen: 1990 });
    await host.stop();
  });

  it('a kiosk killed right after payment delivers the order exactly once after restart', async () => {
    const dataDir = join(work, 'data-2');
    let host = await startHost(dataDir);
    hosts.push(host);
    const { context, page } = await kioskPage(suite.browser, host.url);
    const codeUrl = await orderUpToPayment(page, false);
    await payOnPhone(codeUrl, false);
    await host.kill(); // power cut: no shutdown code runs
    await context.close();

    host = await startHost(dataDir);
    hosts.push(host);
    const outDir = join(dataDir, 'prints', 'out');
    await expect
      .poll(() => {
        const db = dbOf(dataDir);
        const row = db.prepare("SELECT state FROM orders WHERE amount_fen IS NOT NULL ORDER BY created_at DESC LIMIT 1").get() as { state: string };
        db.close();
        return row.state;
      }, { timeout: 60_000 })
      .toBe('delivered');
    const db = dbOf(dataDir);
    const delivered = db.prepare("SELECT COUNT(*) AS n FROM order_transitions WHERE to_state = 'delivered'").get();
    const paid = db.prepare("SELECT COUNT(*) AS n FROM order_transitions WHERE to_state = 'paid'").get();
    db.close();
    expect(delivered).toEqual({ n: 1 });
    expect(paid).toEqual({ n: 1 });
    expect(existsSync(outDir) ? readdirSync(outDir).filter((f) => f.endsWith('.pdf')) : []).toHaveLength(1);
    await host.stop();
  });

  it('the same order with Jimeng (its protocol-faithful simulator) as the AI provider', async () => {
    const sim = await startJimengSimulator({ latency: { kind: 'fixed', ms: 800 } });
    const dataDir = join(work, 'data-3');
    const host = await startHost(dataDir, {
      KIOSK_GENERATOR: 'jimeng',
      JIMENG_ENDPOINT: sim.url,
      JIMENG_ACCESS_KEY: sim.accessKey,
      JIMENG_SECRET_KEY: sim.secretKey,
    });
    hosts.push(host);
    try {
      const { context, page } = await kioskPage(suite.browser, host.url);
      const codeUrl = await orderUpToPayment(page, false);
      await payOnPhone(codeUrl, false);
      await tid(page, 'screen-deliver').waitFor({ timeout: 20_000 });
      await page.locator('[data-testid="deliver-print-status"][data-status="done"]').waitFor({ timeout: 60_000 });
      await screenshot(page, 'deliver-jimeng');
      await context.close();
      // The simulator signed-checked and served the submits; the kiosk delivered what it returned.
      expect(sim.stats.submits).toBeGreaterThanOrEqual(1); // the try (打印+电子版 prints the picture the family saw)
      expect(sim.stats.authFailures).toBe(0);
      const db = dbOf(dataDir);
      const row = db.prepare('SELECT state FROM orders WHERE amount_fen IS NOT NULL ORDER BY created_at DESC LIMIT 1').get();
      db.close();
      expect(row).toEqual({ state: 'delivered' });
    } finally {
      await host.stop();
      await sim.close();
    }
  });

  it('the same order paid through WeChat Pay APIv3 (its simulator: signed requests and answers)', async () => {
    const sim = await startWeChatPaySimulator({ keyDir: join(work, 'wechatpay-keys') });
    const dataDir = join(work, 'data-4');
    const host = await startHost(dataDir, { ...sim.env, KIOSK_PAYMENT: 'wechatpay' });
    hosts.push(host);
    try {
      const { context, page } = await kioskPage(suite.browser, host.url);
      const codeUrl = await orderUpToPayment(page, false);
      // The QR carries the simulator's code_url; a phone "scans" it and pays on its page.
      const phone = await phoneContext(suite.browser);
      const p = await phone.newPage();
      await p.goto(codeUrl);
      const shown = tid(page, 'pay-success')
        .waitFor({ timeout: 10_000 })
        .then(() => Date.now());
      await p.getByRole('button').click();
      const paidAt = Date.now();
      const detectionMs = (await shown) - paidAt;
      console.log(`RESULT wechatpay_detection_ms=${detectionMs}`);
      expect(detectionMs).toBeLessThan(2000);
      await phone.close();
      await page.locator('[data-testid="deliver-print-status"][data-status="done"]').waitFor({ timeout: 60_000 });
      await context.close();
      const books = sim.books();
      expect(books.orders.filter((o) => o.paid)).toEqual([expect.objectContaining({ amountFen: 1990, refundedFen: 0 })]);
    } finally {
      await host.stop();
      await sim.close();
    }
  });
});
