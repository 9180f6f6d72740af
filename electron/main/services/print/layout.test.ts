import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { PRINT_SIZES, renderPrintPdf } from './layout';

const dir = mkdtempSync(join(tmpdir(), 'layout-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const solid = (width: number, height: number, rgb: [number, number, number]) =>
  sharp({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } }).png().toBuffer();

/** Page size in points as poppler (an independent PDF reader) sees it. */
function pageSize(pdf: string): [number, number] {
  const m = /Page size:\s+([\d.]+) x ([\d.]+) pts/.exec(execFileSync('pdfinfo', [pdf], { encoding: 'utf8' }));
  if (!m) throw new Error('pdfinfo gave no page size');
  return [Number(m[1]), Number(m[2])];
}

/** Rasterises the page with poppler and returns raw RGB pixels. */
async function raster(pdf: string, dpi = 50) {
  const png = execFileSync('pdftoppm', ['-r', String(dpi), '-png', '-singlefile', pdf]);
  return sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
}

function regionStats(r: { data: Buffer; info: sharp.OutputInfo }, x0: number, y0: number, x1: number, y1: number) {
  let dark = 0, white = 0, n = 0;
  const { width, channels } = r.info;
  for (let y = Math.floor(y0 * r.info.height); y < Math.floor(y1 * r.info.height); y++) {
    for (let x = Math.floor(x0 * width); x < Math.floor(x1 * width); x++) {
      const i = (y * width + x) * channels;
      const [R, G, B] = [r.data[i]!, r.data[i + 1]!, r.data[i + 2]!];
      if (R < 60 && G < 60 && B < 60) dark++;
      if (R > 200 && G > 200 && B > 200) white++;
      n++;
    }
  }
  return { dark: dark / n, white: white / n };
}

describe('renderPrintPdf', () => {
  it('makes a 6×4 in page with the photo at 300 dpi including bleed, tagged sRGB', async () => {
    const out = join(dir, 'a.pdf');
    const r = await renderPrintPdf({ image: await solid(1200, 800, [40, 160, 60]), size: PRINT_SIZES['6x4'], outPath: out });
    expect(r).toEqual({ pdfPath: out, widthPt: 432, heightPt: 288 });
    expect(pageSize(out)).toEqual([432, 288]);
    const images = execFileSync('pdfimages', ['-list', out], { encoding: 'utf8' }).trim().split('\n').slice(2);
    expect(images).toHaveLength(1);
    const cols = images[0]!.trim().split(/\s+/);
    // width height colour … x-ppi y-ppi: 6 in + 2×0.05 in bleed at 300 dpi = 1830 px.
    expect([cols[3], cols[4], cols[5], cols[12], cols[13]]).toEqual(['1830', '1230', 'icc', '300', '300']);
    // The embedded profile is sRGB itself (the profile sharp/libvips ships), not the source's.
    const srgb = (await sharp(await sharp(await solid(4, 4, [0, 0, 0])).withIccProfile('srgb').jpeg().toBuffer()).metadata()).icc!;
    expect(readFileSync(out).includes(srgb)).toBe(true);
  });

  it('turns the page for a portrait photo, or crops to the fixed orientation when asked', async () => {
    const portrait = await solid(800, 1200, [200, 30, 30]);
    const auto = await renderPrintPdf({ image: portrait, size: PRINT_SIZES['6x4'], outPath: join(dir, 'p.pdf') });
    expect([auto.widthPt, auto.heightPt]).toEqual([288, 432]);
    expect(pageSize(auto.pdfPath)).toEqual([288, 432]);
    const fixed = await renderPrintPdf({ image: portrait, size: PRINT_SIZES['6x4'], outPath: join(dir, 'f.pdf'), orientation: 'fixed' });
    expect(pageSize(fixed.pdfPath)).toEqual([432, 288]);
    const big = await renderPrintPdf({ image: portrait, size: PRINT_SIZES['6x8'], outPath: join(dir, 'b.pdf') });
    expect(pageSize(big.pdfPath)).toEqual([432, 576]);
  });

  it('draws the QR, the text band and the AI mark only where asked, leaving the photo elsewhere', async () => {
    const green = await solid(1200, 800, [40, 160, 60]);
    const plain = await renderPrintPdf({ image: green, size: PRINT_SIZES['6x4'], outPath: join(dir, 'plain.pdf'), aiMark: false });
    const p = await raster(plain.pdfPath);
    expect(regionStats(p, 0.8, 0.75, 0.97, 0.95)).toEqual({ dark: 0, white: 0 });
    expect(regionStats(p, 0.85, 0.02, 0.98, 0.12).white).toBe(0);

    const full = await renderPrintPdf({
      image: green, size: PRINT_SIZES['6x4'], outPath: join(dir, 'full.pdf'),
      blessing: '新春快乐 阖家团圆', dateLine: '2026-02-17', qrText: 'https://kiosk.example/d/0123456789abcdef0123456789abcdef',
    });
    const f = await raster(full.pdfPath, 100);
    // QR: a mix of black modules and white background in the bottom-right corner.
    const qr = regionStats(f, 0.86, 0.8, 0.96, 0.95);
    expect(qr.dark).toBeGreaterThan(0.2);
    expect(qr.white).toBeGreaterThan(0.2);
    // AI mark: white text in the top-right corner.
    expect(regionStats(f, 0.85, 0.02, 0.98, 0.12).white).toBeGreaterThan(0.01);
    // The middle of the photo is untouched.
    expect(regionStats(f, 0.3, 0.3, 0.7, 0.6)).toEqual({ dark: 0, white: 0 });
  });

  it('refuses unreadable images and impossible sizes as data, writing nothing', async () => {
    const out = join(dir, 'bad.pdf');
    await expect(renderPrintPdf({ image: Buffer.from('not an image at all'), size: PRINT_SIZES['6x4'], outPath: out }))
      .rejects.toMatchObject({ code: 'PRINT_LAYOUT_INPUT' });
    await expect(renderPrintPdf({ image: await solid(10, 10, [0, 0, 0]), size: { id: 'x', widthIn: 6, heightIn: 4, dpi: 0, bleedIn: 0 }, outPath: out }))
      .rejects.toMatchObject({ code: 'PRINT_LAYOUT_INPUT' });
    expect(existsSync(out)).toBe(false);
  });

  it('survives hostile blessing text (markup, control characters, very long)', async () => {
    const r = await renderPrintPdf({
      image: await solid(600, 400, [10, 10, 120]), size: PRINT_SIZES['6x4'], outPath: join(dir, 'h.pdf'),
      blessing: '<span foreground="red">x</span>&amp;\u0000\u0007' + '福'.repeat(500), dateLine: '</b>',
    });
    expect(pageSize(r.pdfPath)).toEqual([432, 288]);
  });
});
