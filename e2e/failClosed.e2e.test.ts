// Fail closed and visibly demo, in real Chromium against the real browser host (issue 13.1, 13.4):
// the default kiosk (simulated payment, PDF printer, LAN share, local compositor) shows the
// 演示模式 ribbon on every customer screen; a config.json with WeChat Pay and an out-of-range
// payment timeout shows 暂停服务 with the bad field named, and the file is left as it was.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { kioskPage, screenshot, startHost, useKioskBrowser } from './kioskHost';

const suite = useKioskBrowser('kiosk-failclosed-e2e-');
const { hosts, work } = suite;

const tid = (page: Page, id: string) => page.getByTestId(id);

/** The ribbon is on screen, readable (not clipped, not transparent) and says 演示模式. */
async function expectRibbon(page: Page): Promise<void> {
  const ribbon = tid(page, 'demo-ribbon');
  await ribbon.waitFor({ state: 'visible', timeout: 10_000 });
  expect(await ribbon.textContent()).toContain('演示模式');
  const box = (await ribbon.boundingBox())!;
  const viewport = page.viewportSize()!;
  expect(box.height).toBeGreaterThanOrEqual(16);
  expect(box.y).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width).toBeLessThanOrEqual(viewport.width);
  expect(await ribbon.evaluate((el) => Number(getComputedStyle(el).opacity))).toBeGreaterThan(0.9);
}

describe('demo is visibly demo; a money typo stops the sale', () => {
  it('the default (demo) kiosk shows 演示模式 on the customer screens', async () => {
    const host = await startHost(join(work, 'data-demo'), { KIOSK_ADMIN_PIN: '13579' });
    hosts.push(host);
    const { context, page } = await kioskPage(suite.browser, host.url);
    await tid(page, 'screen-attract').waitFor();
    await expectRibbon(page);
    expect((await tid(page, 'demo-ribbon').getAttribute('data-kinds'))?.split(' ')).toEqual(['generator', 'payment', 'share', 'printer']);
    await screenshot(page, 'demo-ribbon-attract');
    await tid(page, 'attract-start').click();
    await tid(page, 'screen-consent').waitFor();
    await expectRibbon(page);
    await tid(page, 'consent-agree').click();
    await tid(page, 'screen-product').waitFor();
    await expectRibbon(page);
    await screenshot(page, 'demo-ribbon-product');
    await context.close();
  }, 120_000);

  it('providers.payment "wechatpay" + paymentTimeoutSec 30: 暂停服务 names the field; config.json untouched', async () => {
    const dir = join(work, 'data-typo');
    mkdirSync(dir, { recursive: true });
    const text = JSON.stringify({ providers: { payment: 'wechatpay' }, paymentTimeoutSec: 30 }, null, 2);
    writeFileSync(join(dir, 'config.json'), text);
    const host = await startHost(dir, { KIOSK_ADMIN_PIN: '13579' });
    hosts.push(host);
    const { context, page } = await kioskPage(suite.browser, host.url);
    await tid(page, 'screen-sale-stopped').waitFor({ timeout: 15_000 });
    expect(await page.getByRole('heading', { name: '暂停服务' }).isVisible()).toBe(true);
    expect(await tid(page, 'sale-stopped-fields').textContent()).toMatch(/paymentTimeoutSec/);
    expect(await tid(page, 'attract-start').count()).toBe(0);
    await screenshot(page, 'sale-stopped');
    expect(readFileSync(join(dir, 'config.json'), 'utf8')).toBe(text);
    await context.close();
  }, 120_000);
});
