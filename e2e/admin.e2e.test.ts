// The operator's side, in real Chromium against the real browser host: the hidden gesture opens
// the PIN pad (a wrong PIN is refused), health is shown, a bad setting is refused field by field,
// a new price reaches the next family's package screen, a delivered order is refunded with a
// reason and shows up in the day's sales and in the simulated provider's books, a test page is
// printed, and "exit kiosk" stops the host. Then five wrong PINs lock the pad, and the lockout
// survives a restart.
import Database from 'better-sqlite3';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { kioskPage, phoneContext, screenshot, startHost, useKioskBrowser } from './kioskHost';

const PIN = '24680';
const suite = useKioskBrowser('kiosk-admin-e2e-');
const { hosts, work } = suite;

const tid = (page: Page, id: string) => page.getByTestId(id);

async function openAdmin(page: Page): Promise<void> {
  await tid(page, 'screen-attract').waitFor();
  const brand = page.locator('.top-bar .brand').first();
  for (let i = 0; i < 5; i++) await brand.dispatchEvent('pointerdown');
  await tid(page, 'admin-pin').waitFor({ timeout: 5000 });
}

async function typePin(page: Page, pin: string): Promise<void> {
  await tid(page, 'admin-pin-clear').click();
  for (const d of pin) await tid(page, `admin-pin-key-${d}`).click();
  await tid(page, 'admin-pin-ok').click();
}

async function pinError(page: Page): Promise<string | null> {
  const e = tid(page, 'admin-pin-error');
  await e.waitFor({ timeout: 10_000 });
  return e.getAttribute('data-code');
}

function db(dataDir: string) {
  return new Database(join(dataDir, 'kiosk.sqlite'), { readonly: true, fileMustExist: true });
}

/** A family buys the print package and collects it; returns the order id. */
async function buyPrint(page: Page, expectPrice: string): Promise<string> {
  await tid(page, 'attract-start').click();
  await tid(page, 'consent-agree').click();
  await tid(page, 'product-puzzle').click();
  await tid(page, 'style-gugong').click();
  await tid(page, 'screen-capture').waitFor();
  await expect.poll(async () => (await tid(page, 'capture-guidance').textContent()) ?? '', { timeout: 30_000 }).toMatch(/1/);
  await tid(page, 'capture-shoot').click();
  await page.locator('[data-testid="capture-photo-0"][data-ok="true"]').waitFor({ timeout: 30_000 });
  await tid(page, 'capture-next').click();
  await tid(page, 'screen-package').waitFor({ timeout: 90_000 });
  await tid(page, 'package-try-img').waitFor({ state: 'visible', timeout: 60_000 });
  // The operator's new price, on the package screen of the next family.
  await expect.poll(async () => (await tid(page, 'package-print').textContent()) ?? '').toContain(expectPrice);
  await screenshot(page, 'admin-new-price');
  await tid(page, 'package-print').click();
  const qr = tid(page, 'pay-qr');
  await qr.waitFor();
  const codeUrl = (await qr.getAttribute('data-code-url'))!;
  const phone = await phoneContext(suite.browser);
  const p = await phone.newPage();
  await p.goto(codeUrl);
  await tid(p, 'sim-pay-confirm').click();
  await tid(p, 'sim-pay-success').waitFor();
  await phone.close();
  await page.locator('[data-testid="deliver-print-status"][data-status="done"]').waitFor({ timeout: 60_000 });
  await tid(page, 'deliver-done').click();
  await tid(page, 'screen-thanks').waitFor();
  const d = db(currentDataDir);
  const row = d.prepare("SELECT id, state, amount_fen FROM orders WHERE amount_fen IS NOT NULL ORDER BY created_at DESC LIMIT 1").get() as { id: string; state: string; amount_fen: number };
  d.close();
  expect(row).toMatchObject({ state: 'delivered', amount_fen: 1280 });
  return row.id;
}

let currentDataDir = '';

describe('operator admin screen (browser host, real Chromium)', () => {
  it('PIN, health, settings, a new price sold, refund in sales and books, test print, exit', async () => {
    currentDataDir = join(work, 'data-admin');
    const host = await startHost(currentDataDir, { KIOSK_ADMIN_PIN: PIN });
    hosts.push(host);
    const { context, page } = await kioskPage(suite.browser, host.url);

    // Hidden gesture → PIN pad; a wrong PIN is refused and says so.
    await openAdmin(page);
    await screenshot(page, 'admin-pin');
    await typePin(page, '1111');
    expect(await pinError(page)).toBe('PIN_WRONG');
    await typePin(page, PIN);
    await tid(page, 'admin-tab-health').waitFor();

    // Health: printer (PDF folder) ready but shown as DEMO, paper counted, all providers local, disk checked.
    await tid(page, 'admin-health-printer').waitFor();
    expect(await tid(page, 'admin-health-printer').getAttribute('data-code')).toBe('DEMO');
    expect(await tid(page, 'admin-health-payment').getAttribute('data-code')).toBe('DEMO');
    expect(await tid(page, 'admin-health-network').getAttribute('data-code')).toBe('LOCAL_ONLY');
    expect(await tid(page, 'admin-health-disk').getAttribute('data-status')).not.toBe('unknown');
    expect(await tid(page, 'admin-health-version').textContent()).toMatch(/browser host/);
    // Nobody has used the camera since start; the operator's camera test opens it and reports.
    expect(await tid(page, 'admin-health-camera').getAttribute('data-status')).toBe('unknown');
    await tid(page, 'admin-camera-test').click();
    await page.locator('[data-testid="admin-health-camera"][data-status="ok"]').waitFor({ timeout: 15_000 });
    await screenshot(page, 'admin-health');

    // Settings: an impossible idle timeout is refused on its field; then a new price is saved.
    await tid(page, 'admin-tab-settings').click();
    await tid(page, 'admin-field-idleTimeoutSec').fill('5');
    await tid(page, 'admin-settings-save').click();
    await tid(page, 'admin-issue-idleTimeoutSec').waitFor();
    expect(await tid(page, 'admin-issue-idleTimeoutSec').textContent()).toMatch(/15.*3600/);
    await screenshot(page, 'admin-settings-issue');
    await tid(page, 'admin-field-idleTimeoutSec').fill('120');
    await tid(page, 'admin-field-packages.2.priceFen').fill('12.8'); // 打印+电子版 (after 免费体验 and 电子版)
    await tid(page, 'admin-settings-save').click();
    await tid(page, 'admin-settings-saved').waitFor();
    await tid(page, 'admin-leave').click();

    // The next family sees (and pays) the new price.
    const orderId = await buyPrint(page, '12.80');

    // Back in admin: refund the delivered order with a reason.
    await tid(page, 'screen-attract').waitFor({ timeout: 30_000 });
    await openAdmin(page);
    await typePin(page, PIN);
    await tid(page, 'admin-tab-orders').click();
    await tid(page, `admin-order-${orderId}`).waitFor();
    expect(await tid(page, 'admin-sales-today-gross').textContent()).toContain('12.80');
    await tid(page, `admin-refund-${orderId}`).click();
    await tid(page, 'admin-refund-reason').fill('顾客对照片不满意');
    await tid(page, 'admin-refund-confirm').click();
    await page.locator(`[data-testid="admin-order-${orderId}"][data-state="refunded"]`).waitFor({ timeout: 20_000 });
    await expect.poll(async () => (await tid(page, 'admin-sales-today-refunds').textContent()) ?? '').toContain('12.80');
    expect(await tid(page, 'admin-sales-today-net').textContent()).toContain('0.00');
    await screenshot(page, 'admin-refunded');

    // The simulated provider's own books say the money went back; the audit log has who and why.
    const d = db(currentDataDir);
    const books = d.prepare('SELECT t.state, r.amount_fen FROM sim_trades t JOIN payments p ON p.out_trade_no = t.out_trade_no JOIN sim_refunds r ON r.out_trade_no = t.out_trade_no WHERE p.order_id = ?').get(orderId);
    const audit = d.prepare("SELECT actor, details_json FROM audit_log WHERE order_id = ? AND action = 'refund_requested'").get(orderId) as { actor: string; details_json: string };
    d.close();
    expect(books).toEqual({ state: 'REFUND', amount_fen: 1280 });
    expect(audit.actor).toBe('admin');
    expect(JSON.parse(audit.details_json)).toMatchObject({ reason: '顾客对照片不满意', amountFen: 1280 });

    // Maintenance: a test page comes out of the (PDF) printer; paper counter reset.
    await tid(page, 'admin-tab-tools').click();
    const before = readdirSync(join(currentDataDir, 'prints', 'out')).length;
    await tid(page, 'admin-test-print').click();
    await page.locator('[data-testid="admin-tools-print-result"][data-ok="true"]').waitFor({ timeout: 60_000 });
    expect(readdirSync(join(currentDataDir, 'prints', 'out')).length).toBe(before + 1);
    await tid(page, 'admin-paper-capacity').fill('100');
    await tid(page, 'admin-paper-reset').click();
    await expect.poll(async () => (await tid(page, 'admin-paper').textContent()) ?? '').toMatch(/100.*100/);
    await screenshot(page, 'admin-tools');

    // Exit kiosk mode, after a confirmation: the host process stops.
    const exited = new Promise<number | null>((r) => host.proc.once('exit', (code) => r(code)));
    await tid(page, 'admin-exit-kiosk').click();
    await tid(page, 'admin-exit-confirm').click();
    await tid(page, 'admin-exiting').waitFor();
    expect(await exited).toBe(0);
    await context.close();
  });

  it('five wrong PINs lock the pad, even for the right PIN, and a restart keeps the lock', async () => {
    let host = await startHost(currentDataDir, { KIOSK_ADMIN_PIN: '99999' });
    hosts.push(host);
    let { context, page } = await kioskPage(suite.browser, host.url);
    await openAdmin(page);
    for (let i = 0; i < 4; i++) {
      await typePin(page, '0000');
      expect(await pinError(page)).toBe('PIN_WRONG');
    }
    await typePin(page, '0000');
    await expect.poll(() => tid(page, 'admin-pin-error').getAttribute('data-code')).toBe('PIN_LOCKED');
    await screenshot(page, 'admin-locked');
    // The env PIN of a later start does not replace the PIN the kiosk already has, and the lock holds.
    await typePin(page, PIN);
    await expect.poll(() => tid(page, 'admin-pin-error').getAttribute('data-code')).toBe('PIN_LOCKED');
    // The visible way back.
    await tid(page, 'admin-pin-back').click();
    await tid(page, 'screen-attract').waitFor();
    await context.close();
    await host.stop();

    host = await startHost(currentDataDir);
    hosts.push(host);
    ({ context, page } = await kioskPage(suite.browser, host.url));
    await openAdmin(page);
    await typePin(page, PIN);
    await expect.poll(() => tid(page, 'admin-pin-error').getAttribute('data-code')).toBe('PIN_LOCKED');
    await context.close();
    await host.stop();
  });
});
