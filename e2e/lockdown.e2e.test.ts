// In the browser host the kiosk page must stay the only page: window.open opens nothing, a link
// off the kiosk's origin does not navigate, and a form cannot submit anywhere.
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeCamera, kioskPage, launchChromium, startHost, type Host } from './kioskHost';

let browser: Browser;
let host: Host;
let outside: Server;
let outsideUrl: string;
let outsideHits = 0;
const work = mkdtempSync(join(tmpdir(), 'kiosk-lockdown-'));

beforeAll(async () => {
  // A page "elsewhere" (another loopback port): if the kiosk ever navigates there, it counts.
  outside = createServer((_req, res) => {
    outsideHits++;
    res.end('<h1>elsewhere</h1>');
  });
  await new Promise<void>((r) => outside.listen(0, '127.0.0.1', () => r()));
  outsideUrl = `http://127.0.0.1:${(outside.address() as AddressInfo).port}/escape`;
  host = await startHost(join(work, 'data'));
  browser = await launchChromium(fakeCamera(work));
});
afterAll(async () => {
  await browser?.close();
  await host?.stop();
  await new Promise<void>((r) => outside.close(() => r()));
});

describe('kiosk lockdown (browser host)', () => {
  it('window.open opens nothing and a link away does not navigate', async () => {
    const { context, page } = await kioskPage(browser, host.url);
    await page.getByTestId('screen-attract').waitFor();
    const pagesBefore = context.pages().length;

    const opened = await page.evaluate((u) => window.open(u, '_blank') === null, outsideUrl);
    expect(opened).toBe(true);

    await page.evaluate((u) => {
      const a = document.createElement('a');
      a.href = u;
      a.textContent = 'escape';
      a.id = 'escape-link';
      a.style.cssText = 'position:fixed;top:0;left:0;z-index:99999;font-size:40px;background:#fff';
      document.body.appendChild(a);
      const b = a.cloneNode(true) as HTMLAnchorElement;
      b.id = 'escape-blank';
      b.target = '_blank';
      b.style.top = '60px';
      document.body.appendChild(b);
      const f = document.createElement('form');
      f.action = u;
      f.method = 'get';
      f.id = 'escape-form';
      document.body.appendChild(f);
    }, outsideUrl);
    await page.locator('#escape-link').click();
    await page.locator('#escape-blank').click();
    await page.evaluate(() => (document.getElementById('escape-form') as HTMLFormElement).requestSubmit());
    await page.waitForTimeout(1000);

    expect(new URL(page.url()).origin).toBe(new URL(host.url).origin);
    expect(context.pages().length).toBe(pagesBefore);
    expect(outsideHits).toBe(0);
    await page.getByTestId('screen-attract').waitFor();
    await context.close();
  });
});
