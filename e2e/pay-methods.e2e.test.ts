// 微信 and 支付宝 side by side on the pay screen (issue 12.5): a kiosk configured with both merchant
// accounts (their protocol-faithful simulators) offers both; one tap switches, the QR changes, and
// the other method's trade is closed at its provider. The family pays with the one they chose.

import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { startAlipaySimulator } from '../electron/sim/alipay/simulator';
import { startWeChatPaySimulator } from '../electron/sim/wechatpay/simulator';
import { kioskPage, phoneContext, screenshot, startHost, useKioskBrowser } from './kioskHost';

const suite = useKioskBrowser('kiosk-paymethods-');
const { hosts, work } = suite;

const tid = (page: Page, id: string) => page.getByTestId(id);

async function upToPayment(page: Page): Promise<void> {
  // The sale's main path (e2e/sale.e2e.test.ts): consent+product → style → shoot → the try → package.
  await tid(page, 'screen-attract').waitFor();
  await tid(page, 'attract-start').click();
  await tid(page, 'screen-consent').waitFor();
  await tid(page, 'consent-product-makeover').click();
  await tid(page, 'screen-style').waitFor();
  await tid(page, 'style-gugong').click();
  await tid(page, 'screen-capture').waitFor();
  await expect.poll(async () => (await tid(page, 'capture-guidance').textContent()) ?? '', { timeout: 30_000 }).toMatch(/1/);
  await tid(page, 'capture-shoot').click();
  await page.locator('[data-testid="capture-photo-0"][data-ok="true"]').waitFor({ timeout: 30_000 });
  await tid(page, 'screen-package').waitFor({ timeout: 90_000 });
  await tid(page, 'package-try-img').waitFor({ state: 'visible', timeout: 60_000 });
  await tid(page, 'package-digital').click();
  await tid(page, 'screen-pay').waitFor();
}

/** The QR on screen once it shows the given method (the switch has finished). */
async function qrOf(page: Page, method: string): Promise<string> {
  const qr = page.locator(`[data-testid="pay-qr"][data-method="${method}"]`);
  await qr.waitFor({ timeout: 20_000 });
  await expect.poll(async () => page.locator(`[data-testid="pay-method-${method}"][aria-selected="true"]`).count()).toBe(1);
  return (await qr.getAttribute('data-code-url'))!;
}

describe('the pay screen with WeChat Pay and Alipay', () => {
  it('offers both side by side; one tap switches the QR and closes the other trade; the family pays with Alipay', async () => {
    const wx = await startWeChatPaySimulator({ keyDir: join(work, 'wechatpay-keys') });
    const ali = await startAlipaySimulator({ keyDir: join(work, 'alipay-keys') });
    const host = await startHost(join(work, 'data'), { ...wx.env, ...ali.env, KIOSK_PAYMENT: 'wechatpay' });
    hosts.push(host);
    try {
      const { context, page } = await kioskPage(suite.browser, host.url);
      await upToPayment(page);
      await tid(page, 'pay-methods').waitFor();
      const wxUrl1 = await qrOf(page, 'wechatpay');
      expect(wxUrl1.startsWith(`${wx.url}/pay/`)).toBe(true);
      await screenshot(page, 'pay-methods-wechat');

      // One tap: Alipay. The QR changes to Alipay's; the WeChat trade is closed at WeChat.
      await tid(page, 'pay-method-alipay').click();
      const aliUrl = await qrOf(page, 'alipay');
      expect(aliUrl.startsWith(`${ali.url}/qr/`)).toBe(true);
      await screenshot(page, 'pay-methods-alipay');
      expect(wx.books().orders.map((o) => o.state)).toEqual(['CLOSED']);

      // Back to WeChat (the Alipay QR was scanned meanwhile, so the trade exists at Alipay): closed there.
      const phone = await phoneContext(suite.browser);
      const p = await phone.newPage();
      await p.goto(aliUrl);
      await tid(page, 'pay-method-wechatpay').click();
      const wxUrl2 = await qrOf(page, 'wechatpay');
      expect(wxUrl2).not.toBe(wxUrl1);
      await expect.poll(() => ali.books().trades.map((t) => t.status)).toEqual(['TRADE_CLOSED']);

      // And to Alipay again: the family pays with Alipay on the phone.
      await tid(page, 'pay-method-alipay').click();
      const aliUrl2 = await qrOf(page, 'alipay');
      await p.goto(aliUrl2);
      await screenshot(p, 'alipay-phone-page');
      await tid(p, 'alipay-pay').click();
      await tid(p, 'alipay-paid').waitFor();
      await tid(page, 'pay-success').waitFor({ timeout: 15_000 });
      await screenshot(page, 'pay-methods-paid');
      await phone.close();
      await tid(page, 'screen-deliver').waitFor({ timeout: 30_000 });
      await context.close();

      // The books: one payment (¥9.90 on Alipay), every other trade closed, nothing refunded.
      expect(ali.books().trades.filter((t) => t.paid)).toEqual([expect.objectContaining({ amountFen: 990, refundedFen: 0 })]);
      expect(wx.books().orders.every((o) => o.state === 'CLOSED')).toBe(true);
      expect(wx.books().totals.paidCount).toBe(0);
    } finally {
      await host.stop();
      await wx.close();
      await ali.close();
    }
  }, 300_000);
});
