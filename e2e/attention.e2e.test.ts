// A payment the kiosk cannot settle on its own reaches the operator (real Chromium, real browser
// host): the provider reports the trade paid for another amount than asked, the order shows under
// 需要处理 with 金额不符 on the admin screen, and once the operator has settled it in the merchant
// platform and marked it (with a note) it leaves the list. The order is driven through the same HTTP
// calls the kiosk screen makes; the wrong amount is set in the simulated provider's own books.
import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASTRONAUT } from '../fixtures/paths';
import { fakeCamera, kioskPage, launchChromium, phoneContext, screenshot, startHost, unlockAdmin, type Host } from './kioskHost';

const PIN = '24680';
let browser: Browser;
let host: Host | undefined;
const work = mkdtempSync(join(tmpdir(), 'kiosk-attention-e2e-'));

beforeAll(async () => {
  browser = await launchChromium(fakeCamera(work));
});
afterAll(async () => {
  await browser?.close();
  await host?.stop().catch(() => undefined);
});

const tid = (page: Page, id: string) => page.getByTestId(id);

type Call = { ok: boolean; value?: Record<string, unknown>; error?: { code: string } };
const api = (page: Page, name: string, input: unknown): Promise<Call> =>
  page.evaluate(async ([n, i]) => (await fetch(`/api/${n}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(i) })).json() as Promise<Call>, [name, input] as const);

describe('a disputed payment on the admin screen (browser host, real Chromium)', () => {
  it('paid for another amount: 需要处理 / 金额不符; marked settled with a note: gone from the list', async () => {
    const dataDir = join(work, 'data');
    host = await startHost(dataDir, { KIOSK_ADMIN_PIN: PIN });
    const { context, page } = await kioskPage(browser, host.url);
    await tid(page, 'screen-attract').waitFor();

    // A family's order up to the pay screen, as the kiosk screen calls it.
    const consent = await api(page, 'session:accept-consent', { lang: 'zh', consent: true });
    const orderId = consent.value!.id as string;
    await api(page, 'order:choose-product', { orderId, productId: 'puzzle', styleId: 'gugong', outfitId: null });
    const photo = await api(page, 'capture:add-photo', { orderId, image: readFileSync(ASTRONAUT).toString('base64') });
    expect(photo.ok).toBe(true);
    expect((await api(page, 'generate:start', { orderId })).ok).toBe(true);
    await expect.poll(async () => (await api(page, 'order:get', { orderId })).value?.state, { timeout: 90_000, interval: 500 }).toBe('generated');
    await api(page, 'order:pick-variant', { orderId, index: 0 });
    const pay = await api(page, 'payment:start', { orderId, packageId: 'print' });
    expect(pay.ok).toBe(true);
    const codeUrl = (pay.value!.payment as { codeUrl: string }).codeUrl;

    // The provider will report the trade paid for 0.01 instead of the price asked.
    const db = new Database(join(dataDir, 'kiosk.sqlite'), { timeout: 5000 });
    db.prepare('UPDATE sim_trades SET amount_fen = 1 WHERE out_trade_no IN (SELECT out_trade_no FROM payments WHERE order_id = ?)').run(orderId);
    db.close();
    const phone = await phoneContext(browser);
    const p = await phone.newPage();
    await p.goto(codeUrl);
    await tid(p, 'sim-pay-confirm').click();
    await tid(p, 'sim-pay-success').waitFor();
    await phone.close();
    await expect.poll(async () => (await api(page, 'order:get', { orderId })).value?.notice, { timeout: 30_000, interval: 500 }).toContain('工作人员');

    // The operator opens the admin screen: the order is under 需要处理 with 金额不符, nothing was printed.
    await unlockAdmin(page, PIN);
    await tid(page, 'admin-tab-orders').click();
    const flagged = tid(page, 'admin-orders-attention').getByTestId(`admin-order-${orderId}`);
    await flagged.waitFor();
    expect(await tid(page, `admin-attention-${orderId}-AMOUNT_MISMATCH`).textContent()).toBe('金额不符');
    await screenshot(page, 'attention-disputed');

    // Settled in the merchant platform: marked here with a note; it leaves 需要处理.
    await tid(page, `admin-resolve-${orderId}`).click();
    await tid(page, 'admin-resolve-note').fill('已在商户平台全额退款');
    await tid(page, 'admin-resolve-confirm').click();
    await tid(page, 'admin-orders-recent').getByTestId(`admin-order-${orderId}`).waitFor();
    expect(await tid(page, `admin-attention-${orderId}-AMOUNT_MISMATCH`).count()).toBe(0);
    expect(await tid(page, `admin-resolve-${orderId}`).count()).toBe(0);
    await screenshot(page, 'attention-resolved');

    const check = new Database(join(dataDir, 'kiosk.sqlite'), { readonly: true });
    const audit = check.prepare("SELECT actor, details_json FROM audit_log WHERE order_id = ? AND action = 'dispute_resolved'").get(orderId) as { actor: string; details_json: string };
    const printed = check.prepare("SELECT COUNT(*) AS n FROM deliverables WHERE order_id = ? AND kind = 'print' AND status = 'done'").get(orderId) as { n: number };
    check.close();
    expect(audit.actor).toBe('admin');
    expect(JSON.parse(audit.details_json)).toMatchObject({ note: '已在商户平台全额退款' });
    expect(printed.n).toBe(0);
    await context.close();
  });
});
