// The page the Electron host prints, rendered by real Chromium (the engine inside Electron) to PDF:
// the page size and the photo must come out as layout.ts made them.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { electronPrintPage, parseImagePdf } from './electronPrintPage';
import { PRINT_SIZES, renderPrintPdf } from './layout';

const CHROMIUM = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const dir = mkdtempSync(join(tmpdir(), 'eprintpage-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('electronPrintPage', () => {
  it('takes the JPEG, page size and bleed placement back out of the layout PDF', async () => {
    const image = await sharp({ create: { width: 1200, height: 800, channels: 3, background: '#2a8' } }).jpeg().toBuffer();
    const { pdfPath } = await renderPrintPdf({ image, size: PRINT_SIZES['6x4'], outPath: join(dir, 'a.pdf'), aiMark: false });
    const p = parseImagePdf(readFileSync(pdfPath));
    expect([p.widthPt, p.heightPt]).toEqual([432, 288]);
    expect(p.box).toEqual({ x: -3.6, y: -3.6, w: 439.2, h: 295.2 });
    expect(await sharp(p.jpeg).metadata()).toMatchObject({ format: 'jpeg', width: 1830, height: 1230 });
    expect(() => parseImagePdf(Buffer.from('%PDF-1.4\n1 0 obj << >> endobj'))).toThrow(/not a kiosk print PDF/);
  });

  it('prints in Chromium at the paper size with the photo edge to edge', async () => {
    if (!CHROMIUM) throw new Error('Chromium not found (apt-get install chromium, or set CHROMIUM_PATH)');
    const image = await sharp({ create: { width: 800, height: 1200, channels: 3, background: '#c22' } }).jpeg().toBuffer();
    const { pdfPath } = await renderPrintPdf({ image, size: PRINT_SIZES['6x4'], outPath: join(dir, 'p.pdf'), aiMark: false });
    const page = await electronPrintPage(pdfPath);
    expect([page.widthIn, page.heightIn]).toEqual([4, 6]);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      const tab = await browser.newPage();
      await tab.setContent(page.html);
      const out = join(dir, 'chromium.pdf');
      writeFileSync(out, await tab.pdf({ preferCSSPageSize: true, printBackground: true }));
      const info = execFileSync('pdfinfo', [out], { encoding: 'utf8' });
      expect(info).toMatch(/Pages:\s+1\n/);
      expect(info).toMatch(/Page size:\s+288 x 432 pts/);
      const png = execFileSync('pdftoppm', ['-r', '20', '-png', '-singlefile', out]);
      const { data, info: px } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      // Corners and centre are the photo's red: no white margins anywhere.
      for (const [x, y] of [[1, 1], [px.width - 2, 1], [1, px.height - 2], [px.width - 2, px.height - 2], [px.width >> 1, px.height >> 1]] as const) {
        const i = (y * px.width + x) * 3;
        expect([data[i]! > 150, data[i + 1]! < 90, data[i + 2]! < 90]).toEqual([true, true, true]);
      }
    } finally {
      await browser.close();
    }
  });
});
