// Walks the kiosk through one whole order in headless Chromium (fake camera) and saves a
// screenshot of every screen, to look at the UI: node renderer/dev/screens.mjs <url> <outDir> [W H]
// where <url> is the KIOSK_URL that `npm run dev:host` (or `npm start`) prints.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { fileURLToPath } from 'node:url';

const [url, out = '/tmp/screens', w = '1920', h = '1080'] = process.argv.slice(2);
mkdirSync(out, { recursive: true });
const cam = join(out, 'camera.y4m');
if (!existsSync(cam)) {
  execFileSync('ffmpeg', ['-v', 'error', '-loop', '1', '-i', fileURLToPath(new URL('../../fixtures/astronaut.png', import.meta.url)), '-t', '1', '-r', '10', '-vf', 'scale=1280:720,format=yuv420p', '-y', cam]);
}
const browser = await chromium.launch({
  executablePath: process.env.KIOSK_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${cam}`, '--no-sandbox'],
});
const viewport = { width: Number(w), height: Number(h) };
const kiosk = await (await browser.newContext({ viewport })).newPage();
const phone = await (await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 })).newPage();
kiosk.on('console', (m) => m.type() === 'error' && console.log('console:', m.text()));
// As e2e/kioskHost.ts's screenshot(): fonts loaded and every finite animation finished (max 8 s).
const shot = async (page, name) => {
  await page.evaluate(async () => {
    const deadline = performance.now() + 8000;
    await document.fonts.ready;
    for (;;) {
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      const moving = document.getAnimations().filter((a) => a.playState === 'running' && Number.isFinite(a.effect?.getComputedTiming().endTime ?? Infinity));
      if (moving.length === 0 || performance.now() > deadline) return;
      await Promise.race([Promise.all(moving.map((a) => a.finished.catch(() => undefined))), new Promise((r) => setTimeout(r, 1000))]);
    }
  });
  await page.screenshot({ path: join(out, `${name}.png`) });
};
const id = (page, testId) => page.getByTestId(testId);

await kiosk.goto(url);
await id(kiosk, 'screen-attract').waitFor();
await kiosk.waitForTimeout(800);
await shot(kiosk, '01-attract');
await id(kiosk, 'attract-start').click();
await shot(kiosk, '02-consent');
await id(kiosk, 'consent-agree').click();
await id(kiosk, 'screen-product').waitFor();
await shot(kiosk, '03-product');
await id(kiosk, 'product-puzzle').click();
await id(kiosk, 'style-gugong').click();
await shot(kiosk, '04-style');
await id(kiosk, 'style-next').click();
await id(kiosk, 'capture-guidance').waitFor();
await kiosk.waitForTimeout(3000);
console.log('guide frames per second (live preview):', await id(kiosk, 'capture-guidance').getAttribute('data-fps'));
await shot(kiosk, '05-capture-live');
await id(kiosk, 'capture-shoot').click();
await kiosk.waitForTimeout(1200);
await shot(kiosk, '06-capture-countdown');
await id(kiosk, 'capture-photo-0').waitFor();
await id(kiosk, 'capture-shoot').click();
await id(kiosk, 'capture-photo-1').waitFor();
const fps = await id(kiosk, 'capture-guidance').getAttribute('data-fps');
console.log('guide frames per second (after two shots):', fps);
await shot(kiosk, '07-capture-two');
await id(kiosk, 'capture-phone-upload').click();
const uploadUrl = await id(kiosk, 'capture-phone-qr').getAttribute('data-url');
await shot(kiosk, '08-capture-phone-qr');
await phone.goto(uploadUrl);
await id(phone, 'upload-file').setInputFiles(fileURLToPath(new URL('../../fixtures/astronaut.png', import.meta.url)));
await id(phone, 'upload-send').click();
await id(phone, 'upload-result').waitFor();
await shot(phone, 'p1-upload');
await id(kiosk, 'capture-photo-2').waitFor();
await shot(kiosk, '09-capture-after-phone');
await id(kiosk, 'capture-next').click();
await id(kiosk, 'screen-generating').waitFor();
await kiosk.waitForTimeout(1800);
await shot(kiosk, '10-generating');
await id(kiosk, 'screen-pick').waitFor({ timeout: 120000 });
await shot(kiosk, '11-pick');
await id(kiosk, 'variant-1').click();
await shot(kiosk, '12-pick-zoom');
await id(kiosk, 'pick-confirm').click();
await id(kiosk, 'screen-package').waitFor();
await shot(kiosk, '13-package');
await id(kiosk, 'lang-toggle').click();
await shot(kiosk, '13b-package-en');
await id(kiosk, 'lang-toggle').click();
await id(kiosk, 'package-print').click();
await id(kiosk, 'pay-qr').waitFor();
await shot(kiosk, '14-pay');
const payUrl = await id(kiosk, 'pay-qr').getAttribute('data-code-url');
await phone.goto(payUrl);
await id(phone, 'sim-pay-confirm').waitFor();
await shot(phone, 'p2-pay');
await id(phone, 'sim-pay-confirm').click();
await id(phone, 'sim-pay-success').waitFor();
await shot(phone, 'p3-paid');
await id(kiosk, 'pay-success').waitFor();
await shot(kiosk, '15-pay-success');
await id(kiosk, 'screen-deliver').waitFor();
await kiosk.waitForTimeout(1600);
await shot(kiosk, '16-deliver-printing');
await kiosk.getByText('请在出口取照片').waitFor({ timeout: 120000 });
await shot(kiosk, '17-deliver-done');
const dl = await id(kiosk, 'deliver-download-qr').getAttribute('data-url');
await phone.goto(dl);
await id(phone, 'download-photo').waitFor();
await phone.waitForTimeout(500);
await shot(phone, 'p4-download');
await id(phone, 'download-card-tab').click();
await shot(phone, 'p5-card');
await id(kiosk, 'deliver-done').click();
await id(kiosk, 'screen-thanks').waitFor();
await shot(kiosk, '18-thanks');
await id(kiosk, 'screen-attract').waitFor({ timeout: 10000 });
console.log('walked the whole order; screenshots in', out);
await browser.close();
