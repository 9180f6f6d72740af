// The greeting card through the OSS share, no kiosk server in reach: delivery publishes the static
// download page, card page and thumbnail to (fake) OSS through the upload queue; a phone opens the
// download page, makes a card in the 贺卡 tab (drawn on its canvas), and opens the shareable link.
// Screenshots in test-results/screens/oss-card-*.png.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OssConfig } from '../electron/main/services/share/oss/config';
import { createQueuedOssShare, type QueuedOssShare } from '../electron/main/services/share/oss/queuedOssShare';
import { startFakeOss, type FakeOss } from '../electron/sim/oss/fakeOss';
import { phoneContext, screenshot } from './kioskHost';

const dir = mkdtempSync(join(tmpdir(), 'oss-card-e2e-'));
let fake: FakeOss;
let share: QueuedOssShare;
let browser: Browser;

beforeAll(async () => {
  fake = await startFakeOss({ buckets: ['kiosk-media'], credentials: [{ accessKeyId: 'AK', accessKeySecret: 'SK' }] });
  const config = OssConfig.parse({ endpoint: fake.url, bucket: 'kiosk-media', accessKeyId: 'AK', accessKeySecret: 'SK', pathStyle: true, linkSecret: 'c'.repeat(40) });
  share = createQueuedOssShare(config, { stateDir: dir, waitMs: 10_000, baseDelayMs: 100 });
  share.start();
  browser = await chromium.launch({ executablePath: process.env.KIOSK_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
});
afterAll(async () => {
  await browser?.close();
  await share?.stop();
  await fake?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('greeting card on the OSS share', () => {
  it('is made on the phone from the static page and shared as a link with title, description and thumbnail', async () => {
    const photo = join(dir, 'final.jpg');
    await sharp({ create: { width: 1200, height: 800, channels: 3, background: '#2d6a9f' } })
      .composite([{ input: Buffer.from('<svg width="1200" height="800"><circle cx="600" cy="400" r="260" fill="#f4c542"/></svg>') }])
      .jpeg()
      .toFile(photo);
    const pageUrl = await share.publishDownloadPage('order-card', { expiresAt: new Date(Date.now() + 30 * 86_400_000), orderCode: 'K7Q2ZX', cardPhotoPath: photo });
    await share.put('order-card/photo.jpg', photo, 'image/jpeg');
    await expect.poll(() => share.queue.get('result:order-card/card.html')?.state, { timeout: 15_000 }).toBe('done');
    await expect.poll(() => share.queue.get('result:order-card/thumb.jpg')?.state, { timeout: 15_000 }).toBe('done');

    const ctx = await phoneContext(browser);
    const tab = await ctx.newPage();
    const errors: string[] = [];
    tab.on('pageerror', (e) => errors.push(e.message));
    await tab.goto(pageUrl);
    await tab.waitForSelector('#card img');
    await tab.locator('#tabCard').click();
    await expect.poll(() => tab.locator('#cardTab').isVisible()).toBe(true);
    expect(await tab.locator('#photoTab').isVisible()).toBe(false);

    // The same rule as the kiosk: no emoji (the card would show boxes), at most 40 characters.
    await tab.locator('#tpl-shuimo').click();
    await tab.locator('#cardMsg').fill('新年快乐🎉');
    await tab.locator('#cardMake').click();
    expect(await tab.locator('#cardProblem').textContent()).toContain('表情');
    expect(await tab.locator('#cardOut').isVisible()).toBe(false);
    await tab.locator('#cardMsg').fill('一'.repeat(41));
    await tab.locator('#cardMake').click();
    expect(await tab.locator('#cardProblem').textContent()).toContain('40');

    const message = '爸妈新年快乐 <b>身体健康</b>';
    await tab.locator('#cardMsg').fill(message);
    await tab.locator('#cardMake').click();
    await tab.waitForSelector('#cardOut:not([hidden])');
    await expect.poll(() => tab.locator('#cardImg').evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth)).toBe(1080);
    expect(await tab.locator('#cardProblem').isVisible()).toBe(false);
    await tab.locator('#cardImg').scrollIntoViewIfNeeded();
    await screenshot(tab, 'download-card-tab');

    const link = (await tab.locator('#cardLink').getAttribute('href'))!;
    const u = new URL(link);
    expect(u.pathname.endsWith('/card.html')).toBe(true);
    expect(new URLSearchParams(u.hash.slice(1)).get('t')).toBe('shuimo');
    expect(new URLSearchParams(u.hash.slice(1)).get('m')).toBe(message);

    // What WeChat's preview crawler sees: the static file (no fragment), with an absolute, reachable thumbnail.
    const html = await (await fetch(`${u.origin}${u.pathname}`)).text();
    expect(html).not.toContain('爸妈');
    const og = (p: string) => new RegExp(`<meta property="${p}" content="([^"]*)">`).exec(html)?.[1];
    expect(og('og:title')).toBe('团圆照相馆 · 新春全家福贺卡');
    expect(og('og:description')).toBeTruthy();
    const thumb = await fetch(og('og:image')!.replace(/&amp;/g, '&'));
    expect(thumb.status).toBe(200);
    expect((await sharp(Buffer.from(await thumb.arrayBuffer())).metadata()).width).toBe(300);

    // The family's relative opens the link: the card is drawn with the message, savable as one image.
    const rel = await ctx.newPage();
    rel.on('pageerror', (e) => errors.push(e.message));
    await rel.goto(link);
    await expect.poll(() => rel.locator('#card').evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth), { timeout: 10_000 }).toBe(1080);
    expect(await rel.locator('#card').getAttribute('alt')).toBe(message);
    expect(await rel.locator('#status').textContent()).toContain('水墨');
    expect(await rel.title()).toBe('团圆照相馆 · 新春全家福贺卡');
    await screenshot(rel, 'card-link');

    // A tampered link (emoji in the message) is refused by the same rule, not drawn.
    await rel.goto(`${u.origin}${u.pathname}#t=shuimo&m=${encodeURIComponent('你好🎉')}`);
    await rel.reload();
    await expect.poll(() => rel.locator('#status').textContent()).toContain('不完整');
    expect(errors).toEqual([]);
    await ctx.close();
  });
});
