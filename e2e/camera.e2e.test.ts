// A webcam that drops out (unplugged, driver reset) comes back without restarting the kiosk, and
// the health screen's camera state follows it.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeCamera, kioskPage, launchChromium, startHost, type Host } from './kioskHost';

let browser: Browser;
let host: Host;
const work = mkdtempSync(join(tmpdir(), 'kiosk-camera-'));

beforeAll(async () => {
  host = await startHost(join(work, 'data'));
  browser = await launchChromium(fakeCamera(work));
});
afterAll(async () => {
  await browser?.close();
  await host?.stop();
});

describe('camera recovery', () => {
  it('capture works again after the camera track ends', async () => {
    const { context, page } = await kioskPage(browser, host.url);
    const tid = (id: string) => page.getByTestId(id);
    await tid('attract-start').click();
    await tid('consent-agree').click();
    await tid('product-makeover').click();
    await tid('style-gugong').click();
    await page.locator('[data-testid="capture-guidance"][data-faces="1"]').waitFor({ timeout: 30_000 });

    // The webcam goes away: its track ends (what Chromium reports when a USB camera is unplugged).
    await page.evaluate(() => {
      const video = document.querySelector('video');
      const track = (video?.srcObject as MediaStream | null)?.getVideoTracks()[0];
      track?.stop();
      track?.dispatchEvent(new Event('ended'));
    });
    await tid('capture-no-camera').waitFor({ timeout: 5000 });
    expect(await tid('capture-shoot').isDisabled()).toBe(true);

    // …and comes back by itself: live guidance and a good shot, on the same screen.
    await page.locator('[data-testid="capture-guidance"][data-faces="1"]').waitFor({ timeout: 30_000 });
    await tid('capture-shoot').click();
    await page.locator('[data-testid="capture-photo-0"][data-ok="true"]').waitFor({ timeout: 30_000 });
    await context.close();

    // The health service heard both: the drop-out and the recovery (its log is the operator's record).
    const events = readFileSync(join(work, 'data', 'logs', 'kiosk.log'), 'utf8')
      .split('\n')
      .filter((l) => l.includes('"camera.reported"'))
      .map((l) => (JSON.parse(l) as { ok: boolean }).ok);
    expect(events).toEqual(expect.arrayContaining([false, true]));
    expect(events.lastIndexOf(true)).toBeGreaterThan(events.indexOf(false));
  });
});
