import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { labelDelivered, PREVIEW_MAX_SIDE, readAigcLabel, TC260_NS, watermarkPreview } from './aigc';

/** A 1800×1200 "result": smooth gradient with some structure, like a photo. */
async function sampleResult(): Promise<Buffer> {
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="1800" height="1200"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">` +
    `<stop offset="0" stop-color="#8a1c1c"/><stop offset="1" stop-color="#f0c060"/></linearGradient></defs>` +
    `<rect width="1800" height="1200" fill="url(#g)"/><circle cx="900" cy="500" r="260" fill="#e8c8a8"/></svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 92 }).toBuffer();
}

async function gray(image: Buffer, width: number, height: number): Promise<Buffer> {
  return sharp(image).resize(width, height, { fit: 'fill' }).grayscale().raw().toBuffer();
}

/** Mean absolute difference over a rectangle of two same-size grey images. */
function regionDiff(a: Buffer, b: Buffer, width: number, r: { x: number; y: number; w: number; h: number }): number {
  let sum = 0;
  for (let y = r.y; y < r.y + r.h; y++) {
    for (let x = r.x; x < r.x + r.w; x++) sum += Math.abs((a[y * width + x] ?? 0) - (b[y * width + x] ?? 0));
  }
  return sum / (r.w * r.h);
}

let result: Buffer;
beforeAll(async () => {
  result = await sampleResult();
});

describe('watermarkPreview', () => {
  it('returns a low-resolution JPEG', async () => {
    const preview = await watermarkPreview(result);
    const meta = await sharp(preview).metadata();
    expect(meta.format).toBe('jpeg');
    expect(Math.max(meta.width!, meta.height!)).toBe(PREVIEW_MAX_SIDE);
    expect(meta.width! / meta.height!).toBeCloseTo(1.5, 2);
  });

  it('covers the whole picture with marks, including the middle where faces are', async () => {
    const preview = await watermarkPreview(result);
    const { width, height } = (await sharp(preview).metadata()) as { width: number; height: number };
    const [marked, plain] = await Promise.all([gray(preview, width, height), gray(result, width, height)]);
    const third = { w: Math.floor(width / 3), h: Math.floor(height / 3) };
    // Every one of the nine cells of the picture is visibly changed.
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        expect(regionDiff(marked, plain, width, { x: i * third.w, y: j * third.h, ...third })).toBeGreaterThan(2);
      }
    }
  });

  it('rejects something that is not an image instead of hanging', async () => {
    await expect(watermarkPreview(Buffer.from('definitely not a picture'))).rejects.toThrow();
  });
});

describe('labelDelivered', () => {
  it('keeps full resolution and writes the TC260 AIGC label and EXIF fields', async () => {
    const out = await labelDelivered(result, { orderId: 'ord_abc123', provider: 'local' });
    const meta = await sharp(out).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 1800, 1200]);

    const xmp = meta.xmp!.toString('utf8');
    expect(xmp).toContain(TC260_NS);
    const label = await readAigcLabel(out);
    expect(label).not.toBeNull();
    expect(label!.Label).toBe('1');
    expect(label!.ContentProducer).toContain('local');
    expect(label!.ProduceID).toMatch(/^ord_abc123-[0-9a-f]{16}$/);
    expect(label!.PropagateID).toBe('ord_abc123');
    expect(label!.ReservedCode1).toMatch(/^sha256:[0-9a-f]{64}$/);

    const exif = meta.exif!.toString('latin1');
    expect(exif).toContain('AI-generated content');
    expect(exif).toContain('TuanyuanPhotoStudio/local');
  });

  it('gives different pictures different content ids', async () => {
    const other = await sharp(result).flop().jpeg().toBuffer();
    const [a, b] = await Promise.all([
      labelDelivered(result, { orderId: 'o1', provider: 'local' }).then(readAigcLabel),
      labelDelivered(other, { orderId: 'o1', provider: 'local' }).then(readAigcLabel),
    ]);
    expect(a!.ProduceID).not.toBe(b!.ProduceID);
  });

  it('draws a visible mark in the chosen corner only', async () => {
    const W = 1800;
    const H = 1200;
    const plain = await gray(result, W, H);
    const corner = { w: 300, h: 150 };
    const at = {
      'bottom-right': { x: W - corner.w, y: H - corner.h },
      'top-left': { x: 0, y: 0 },
    } as const;
    for (const placement of ['bottom-right', 'top-left'] as const) {
      const marked = await gray(await labelDelivered(result, { orderId: 'o', provider: 'jimeng', markPlacement: placement }), W, H);
      const other = placement === 'top-left' ? 'bottom-right' : 'top-left';
      expect(regionDiff(marked, plain, W, { ...at[placement], ...corner })).toBeGreaterThan(15);
      expect(regionDiff(marked, plain, W, { ...at[other], ...corner })).toBeLessThan(3);
      // The centre of the picture is untouched (beyond JPEG noise).
      expect(regionDiff(marked, plain, W, { x: 700, y: 400, w: 400, h: 300 })).toBeLessThan(3);
    }
  });

  it('makes the mark at least 5 % of the shorter side tall (GB 45438-2025)', async () => {
    const W = 1800;
    const H = 1200;
    const plain = await gray(result, W, H);
    const marked = await gray(await labelDelivered(result, { orderId: 'o', provider: 'local' }), W, H);
    // Rows near the bottom-right corner that the mark changed.
    let rows = 0;
    for (let y = H - 200; y < H; y++) {
      let changed = 0;
      for (let x = W - 400; x < W; x++) if (Math.abs((marked[y * W + x] ?? 0) - (plain[y * W + x] ?? 0)) > 12) changed++;
      if (changed > 10) rows++;
    }
    expect(rows).toBeGreaterThanOrEqual(0.05 * H);
  });

  it('returns null for a file without a label', async () => {
    expect(await readAigcLabel(result)).toBeNull();
  });
});

describe('on a machine without any fonts', () => {
  it('still produces the labelled picture with a visible mark, and a fully marked preview', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nofont-'));
    try {
      // fontconfig with no font directories at all: every glyph is missing.
      writeFileSync(join(dir, 'fonts.conf'), `<?xml version="1.0"?><fontconfig><cachedir>${dir}/cache</cachedir></fontconfig>`);
      writeFileSync(join(dir, 'in.jpg'), result);
      const aigc = fileURLToPath(new URL('./aigc.ts', import.meta.url));
      writeFileSync(
        join(dir, 'run.mts'),
        `import { readFileSync, writeFileSync } from 'node:fs';\n` +
          `import { labelDelivered, watermarkPreview } from ${JSON.stringify(aigc)};\n` +
          `const img = readFileSync(${JSON.stringify(join(dir, 'in.jpg'))});\n` +
          `writeFileSync(${JSON.stringify(join(dir, 'label.jpg'))}, await labelDelivered(img, { orderId: 'o', provider: 'local' }));\n` +
          `writeFileSync(${JSON.stringify(join(dir, 'preview.jpg'))}, await watermarkPreview(img));\n`,
      );
      const child = spawnSync(process.execPath, ['--import', 'tsx', join(dir, 'run.mts')], {
        cwd: fileURLToPath(new URL('../../../..', import.meta.url)),
        env: { ...process.env, FONTCONFIG_FILE: join(dir, 'fonts.conf') },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(child.status, child.stderr).toBe(0);

      const W = 1800;
      const H = 1200;
      const plain = await gray(result, W, H);
      const labelled = await gray(readFileSync(join(dir, 'label.jpg')), W, H);
      expect(regionDiff(labelled, plain, W, { x: W - 300, y: H - 150, w: 300, h: 150 })).toBeGreaterThan(15);

      const preview = readFileSync(join(dir, 'preview.jpg'));
      const { width, height } = (await sharp(preview).metadata()) as { width: number; height: number };
      const [marked, base] = await Promise.all([gray(preview, width, height), gray(result, width, height)]);
      const third = { w: Math.floor(width / 3), h: Math.floor(height / 3) };
      for (let i = 0; i < 3; i++) {
        for (let j = 0; j < 3; j++) expect(regionDiff(marked, base, width, { x: i * third.w, y: j * third.h, ...third })).toBeGreaterThan(2);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
