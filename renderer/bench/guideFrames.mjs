// npm run bench:guide-frames — how many live-guidance frames per second the capture screen can
// push through the HTTP bridge (target ≥ 10/s), against the naive baseline of sending the
// full-resolution frame. Real Chromium, fake 1080p camera, the kiosk's own frame-grab and bridge
// code (bundled with esbuild). The server decodes each JPEG and scales it to the detector's
// 128×128 input with sharp, so decode cost is counted; the ONNX model itself is not.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import sharp from 'sharp';
import { fileURLToPath } from 'node:url';

const dir = mkdtempSync(join(tmpdir(), 'guide-bench-'));
const cam = join(dir, 'camera.y4m');
execFileSync('ffmpeg', ['-v', 'error', '-loop', '1', '-i', fileURLToPath(new URL('../../fixtures/astronaut.png', import.meta.url)), '-t', '1', '-r', '10', '-vf', 'scale=1920:1080,format=yuv420p', '-y', cam]);
const bundle = await build({ entryPoints: [new URL('./guideEntry.ts', import.meta.url).pathname], bundle: true, write: false, format: 'esm', target: 'chrome120' });
const js = bundle.outputFiles[0].text;

const server = createServer(async (req, res) => {
  if (req.url?.startsWith('/api/capture:guide-frame')) {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const { image } = JSON.parse(Buffer.concat(chunks).toString());
    const { info } = await sharp(Buffer.from(image, 'base64')).resize(128, 128, { fit: 'contain' }).raw().toBuffer({ resolveWithObject: true });
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, value: { faces: info.width > 0 ? 1 : 0, hint: 'OK', message: 'ok' } }));
  } else if (req.url?.startsWith('/bench.js')) {
    res.writeHead(200, { 'content-type': 'text/javascript' }).end(js);
  } else {
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><script type="module" src="/bench.js"></script>');
  }
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${server.address().port}/?ms=${process.env.BENCH_MS ?? 4000}`;

const browser = await chromium.launch({
  executablePath: process.env.KIOSK_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${cam}`, '--no-sandbox'],
});
try {
  const page = await browser.newPage();
  await page.goto(url);
  await page.waitForFunction(() => window.benchResult, null, { timeout: 120_000 });
  const r = await page.evaluate(() => window.benchResult);
  if (r.error) throw new Error(r.error);
  console.log(`camera ${r.width}x${r.height}`);
  console.log(`naive (full frame, q0.92): ${r.naive.fps.toFixed(1)} frames/s, ${r.naive.kb.toFixed(0)} KB base64 per frame`);
  console.log(`guide (320 px, q0.7):      ${r.guide.fps.toFixed(1)} frames/s, ${r.guide.kb.toFixed(1)} KB base64 per frame`);
  console.log(
    `RESULT guide_fps=${r.guide.fps.toFixed(1)} naive_fps=${r.naive.fps.toFixed(1)} speedup=${(r.guide.fps / Math.max(0.01, r.naive.fps)).toFixed(1)} guide_kb=${r.guide.kb.toFixed(1)} naive_kb=${r.naive.kb.toFixed(0)} target_fps=10`,
  );
} finally {
  await browser.close();
  server.close();
  rmSync(dir, { recursive: true, force: true });
}
