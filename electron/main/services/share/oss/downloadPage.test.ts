// The OSS download page in a real mobile browser (Chromium via playwright-core), served by the fake
// OSS: it works the moment the QR is scanned, waiting for the photo upload if needed.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OssConfig } from './config';
import { ossDownloadPageHtml } from './downloadPage';
import { startFakeOss, type FakeOss } from '../../../../sim/oss/fakeOss';
import { createOssShare, type OssShare } from './ossShare';

const CHROMIUM = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const dir = mkdtempSync(join(tmpdir(), 'dlpage-test-'));
let fake: FakeOss;
let share: OssShare;
let browser: Browser;

beforeAll(async () => {
  if (!CHROMIUM) throw new Error('Chromium not found (apt-get install chromium, or set CHROMIUM_PATH)');
  fake = await startFakeOss({ buckets: ['kiosk-media'], credentials: [{ accessKeyId: 'AK', accessKeySecret: 'SK' }] });
  share = createOssShare(OssConfig.parse({ endpoint: fake.url, bucket: 'kiosk-media', accessKeyId: 'AK', accessKeySecret: 'SK', pathStyle: true, linkSecret: 'p'.repeat(40) }));
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});
afterAll(async () => {
  await browser?.close();
  await fake?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('OSS download page', () => {
  it('opens before the photo is uploaded, then shows it with the blessing, save hint and expiry', async () => {
    const page = join(dir, 'index.html');
    const expiresAt = new Date(Date.now() + 30 * 86_400_000);
    const china = new Date(expiresAt.getTime() + 8 * 3_600_000);
    writeFileSync(page, ossDownloadPageHtml({ blessing: '阖家团圆 <b>新春快乐</b>', expiresAt, orderCode: 'K7Q2ZX', afterSalesContact: '客服 400-800-1234 <i>x</i>' }));
    await share.put('order-9/index.html', page, 'text/html; charset=utf-8');
    const url = await share.url('order-9/index.html', 30 * 86400);

    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) MicroMessenger/8.0.47' });
    const tab = await ctx.newPage();
    await tab.goto(url);
    await expect.poll(() => tab.locator('#wait').textContent()).toContain('正在上传');
    expect(await tab.locator('.blessing').textContent()).toBe('阖家团圆 <b>新春快乐</b>');
    expect(await tab.locator('#expiry').textContent()).toContain(`${china.getUTCFullYear()}年${china.getUTCMonth() + 1}月${china.getUTCDate()}日`);
    expect(await tab.locator('.hint').textContent()).toContain('长按');
    // Whom to ask and what to quote, readable as text (the operator's words are never markup).
    expect(await tab.locator('#orderCode').textContent()).toBe('K7Q2ZX');
    expect(await tab.locator('#afterSales').textContent()).toBe('客服 400-800-1234 <i>x</i>');
    expect(await tab.locator('#order').isVisible()).toBe(true);

    const photo = join(dir, 'photo.jpg');
    await sharp({ create: { width: 600, height: 400, channels: 3, background: '#c33' } }).jpeg().toFile(photo);
    await share.put('order-9/photo.jpg', photo, 'image/jpeg');
    await tab.waitForSelector('#card img', { timeout: 15_000 });
    await expect.poll(() => tab.locator('#card img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(600);
    await ctx.close();
  });

  it('says so when the link is past its 30 days', async () => {
    const page = join(dir, 'old.html');
    writeFileSync(page, ossDownloadPageHtml({ expiresAt: new Date(Date.now() - 1000) }));
    await share.put('order-old/index.html', page, 'text/html; charset=utf-8');
    const ctx = await browser.newContext({ isMobile: true, viewport: { width: 390, height: 844 } });
    const tab = await ctx.newPage();
    await tab.goto(await share.url('order-old/index.html', 60));
    await expect.poll(() => tab.locator('#wait').textContent()).toContain('已过期');
    await ctx.close();
  });

  it('refuses file names that could break out of the folder', () => {
    expect(() => ossDownloadPageHtml({ expiresAt: new Date(), photoName: '../x.jpg' })).toThrow();
  });
});
