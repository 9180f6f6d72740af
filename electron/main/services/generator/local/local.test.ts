// The local generator end to end: real fixture photo → the real on-device checks (BlazeFace) →
// four variants → the same quality gate the order service applies to every provider.
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaceBox, Style } from '../../../../shared/contract';
import { KioskFailure } from '../../../../shared/result';
import { resourcePaths } from '../../../infra/paths';
import { loadCatalog } from '../../catalog';
import { createChecksService } from '../../checks';
import type { ChecksService } from '../../checks/types';
import { createQualityGate } from '../qualityGate';
import type { GeneratedVariant, GenerateInput } from '../types';
import { familyOf } from '../variants';
import { createLocalGenerator } from './index';
import { bodyRegion } from './people';
import { ASTRONAUT, COFFEE } from '../../../../../fixtures/paths';

const { assetsDir, modelsDir } = resourcePaths();
const catalog = loadCatalog(assetsDir);

const puzzle = catalog.products.find((p) => p.id === 'puzzle')!;
const makeover = catalog.products.find((p) => p.id === 'makeover')!;
const style = (id: string): Style => catalog.styles.find((s) => s.id === id)!;

type Photo = GenerateInput['photos'][number];
let checks: ChecksService;
let portrait: Photo;
let group: Photo;

async function checked(image: Buffer): Promise<Photo> {
  const r = await checks.checkPhoto(image);
  if (!r.ok || !r.jpeg) throw new Error(`fixture failed the checks: ${JSON.stringify(r.reasons)}`);
  return { jpeg: r.jpeg, faces: r.faces, width: r.width, height: r.height };
}

/** Three people side by side at slightly different sizes: a family photo for 富贵变身. */
async function groupPhoto(): Promise<Buffer> {
  const src = readFileSync(ASTRONAUT);
  const sizes = [560, 600, 540];
  const tiles = await Promise.all(sizes.map((s) => sharp(src).resize(s, s).png().toBuffer()));
  return sharp({ create: { width: 1800, height: 640, channels: 3, background: '#8a8a86' } })
    .composite(tiles.map((input, i) => ({ input, left: 10 + i * 600, top: 640 - sizes[i]! })))
    .jpeg({ quality: 92 })
    .toBuffer();
}

function input(over: Partial<GenerateInput>): GenerateInput {
  return {
    orderId: 'ord_test',
    product: puzzle,
    style: style('gugong'),
    outfitId: null,
    photos: [portrait],
    indices: [0, 1, 2, 3],
    seed: 1234,
    signal: new AbortController().signal,
    ...over,
  };
}

async function run(gen: ReturnType<typeof createLocalGenerator>, inp: GenerateInput): Promise<GeneratedVariant[]> {
  const out: GeneratedVariant[] = [];
  const failures = await gen.generate(inp, (v) => out.push(v));
  expect(failures).toEqual([]);
  return out;
}

async function thumb(image: Buffer): Promise<Buffer> {
  return sharp(image).resize(96, 64, { fit: 'fill' }).grayscale().raw().toBuffer();
}

function meanDiff(a: Buffer, b: Buffer): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs((a[i] ?? 0) - (b[i] ?? 0));
  return s / a.length;
}

beforeAll(async () => {
  checks = createChecksService({ modelsDir, threads: 1 });
  portrait = await checked(readFileSync(ASTRONAUT));
  group = await checked(await groupPhoto());
  expect(group.faces).toHaveLength(3);
});

afterAll(async () => {
  await checks?.close();
});

describe('local generator', () => {
  const gen = createLocalGenerator({ assetsDir });

  it('streams four distinct 1800×1200 JPEGs, each passing the face quality gate', async () => {
    const photos = [portrait, portrait, portrait];
    const variants = await run(gen, input({ photos }));
    expect(variants.map((v) => v.index)).toEqual([0, 1, 2, 3]);
    expect(variants.map((v) => v.seed)).toEqual([1234, 1235, 1236, 1237]);

    const gate = createQualityGate((img) => checks.detectFaces(img));
    const family = familyOf(photos);
    for (const v of variants) {
      const meta = await sharp(v.image).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 1800, 1200]);
      expect(await gate(v.image, family)).toEqual({ ok: true });
    }

    const thumbs = await Promise.all(variants.map((v) => thumb(v.image)));
    for (let i = 0; i < thumbs.length; i++) {
      for (let j = i + 1; j < thumbs.length; j++) expect(meanDiff(thumbs[i]!, thumbs[j]!)).toBeGreaterThan(10);
    }
  });

  it('富贵变身 keeps the whole family of a group photo, with a Tang-suit treatment', async () => {
    const gate = createQualityGate((img) => checks.detectFaces(img));
    const variants = await run(gen, input({ product: makeover, style: style('xinzhongshi'), outfitId: 'tangzhuang', photos: [group], indices: [0, 3] }));
    expect(variants.map((v) => v.index)).toEqual([0, 3]);
    for (const v of variants) expect(await gate(v.image, familyOf([group]))).toEqual({ ok: true });
  });

  it('the outfit changes the clothes, not the faces', async () => {
    const plain = await run(gen, input({ product: makeover, style: style('hongmu'), photos: [portrait], indices: [0] }));
    const dressed = await run(gen, input({ product: makeover, style: style('hongmu'), outfitId: 'qipao', photos: [portrait], indices: [0] }));
    const [a, b] = await Promise.all([plain[0]!.image, dressed[0]!.image].map((img) => sharp(img).grayscale().raw().toBuffer()));
    const faces = await checks.detectFaces(plain[0]!.image);
    expect(faces).toHaveLength(1);
    const f = faces[0]!;
    const region = (img: Buffer, x0: number, y0: number, w: number, h: number): Buffer => {
      const out = Buffer.alloc(Math.round(w) * Math.round(h));
      for (let y = 0; y < Math.round(h); y++) img.copy(out, y * Math.round(w), Math.round(y0 + y) * 1800 + Math.round(x0), Math.round(y0 + y) * 1800 + Math.round(x0 + w));
      return out;
    };
    // Face box: unchanged (beyond JPEG noise). Chest, 1.5–2.5 face heights below it: re-coloured.
    expect(meanDiff(region(a!, f.x, f.y, f.w, f.h), region(b!, f.x, f.y, f.w, f.h))).toBeLessThan(3);
    const chestY = f.y + f.h * 1.6;
    expect(meanDiff(region(a!, f.x, chestY, f.w, f.h * 0.8), region(b!, f.x, chestY, f.w, f.h * 0.8))).toBeGreaterThan(10);
  });

  it('is deterministic for a seed and varies with it', async () => {
    const small = createLocalGenerator({ assetsDir, width: 600, height: 400 });
    const [a] = await run(small, input({ indices: [1], seed: 77 }));
    const [b] = await run(small, input({ indices: [1], seed: 77 }));
    const [c] = await run(small, input({ indices: [1], seed: 78 }));
    expect(a!.image.equals(b!.image)).toBe(true);
    expect(a!.image.equals(c!.image)).toBe(false);
  });

  it('stops when aborted: before the start and between variants', async () => {
    const small = createLocalGenerator({ assetsDir, width: 600, height: 400 });
    const pre = new AbortController();
    pre.abort();
    const none: GeneratedVariant[] = [];
    await expect(small.generate(input({ signal: pre.signal }), (v) => none.push(v))).rejects.toThrow(/abort/i);
    expect(none).toEqual([]);

    const mid = new AbortController();
    const got: GeneratedVariant[] = [];
    const p = small.generate(input({ signal: mid.signal }), (v) => {
      got.push(v);
      mid.abort();
    });
    await expect(p).rejects.toThrow(/abort/i);
    expect(got).toHaveLength(1);
  });

  it('turns bad input into a kind Chinese failure instead of crashing', async () => {
    await expect(gen.generate(input({ photos: [] }), () => undefined)).rejects.toMatchObject({ code: 'NO_PHOTOS' });
    const garbage: Photo = { jpeg: Buffer.from('not a jpeg at all'), faces: [], width: 10, height: 10 };
    const e = await gen.generate(input({ photos: [garbage] }), () => undefined).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(KioskFailure);
    expect((e as KioskFailure).code).toBe('PHOTO_UNREADABLE');
    expect((e as KioskFailure).message).toMatch(/[\u4e00-\u9fff]/);
  });

  it('still makes a picture from a photo without face boxes, and for a style without template art', async () => {
    const coffee = await sharp(readFileSync(COFFEE)).jpeg().toBuffer();
    const small = createLocalGenerator({ assetsDir, width: 600, height: 400 });
    const custom: Style = { ...style('gugong'), id: 'operator-style', palette: ['#224488', '#DDEEFF'] };
    const out = await run(small, input({ style: custom, photos: [{ jpeg: coffee, faces: [], width: 600, height: 400 }], indices: [0] }));
    expect(out).toHaveLength(1);
    expect((await sharp(out[0]!.image).metadata()).width).toBe(600);
  });

  it('uses the detector for a photo that arrives without boxes', async () => {
    let asked = 0;
    const small = createLocalGenerator({
      assetsDir,
      width: 600,
      height: 400,
      detectFaces: async (img: Buffer): Promise<FaceBox[]> => {
        asked++;
        return checks.detectFaces(img);
      },
    });
    await run(small, input({ photos: [{ ...portrait, jpeg: Buffer.from(portrait.jpeg), faces: [] }], indices: [0] }));
    expect(asked).toBe(1);
  });
});

describe('bodyRegion', () => {
  it('covers head and shoulders and stays inside the picture', () => {
    const face = { x: 100, y: 50, w: 80, h: 80, score: 1 };
    const r = bodyRegion([face], 400, 300, 'upper-body');
    expect(r.left).toBe(0); // 140 − 2.15·80 < 0 → clamped
    expect(r.top).toBe(0);
    expect(r.left + r.width).toBeLessThanOrEqual(400);
    expect(r.top + r.height).toBe(300); // 50 + 3.7·80 = 346 → clamped
    const g = bodyRegion([face, { ...face, x: 250 }], 1000, 1000, 'group');
    expect(g.top + g.height).toBe(1000); // a group keeps everything down to the bottom edge
    expect(g.left + g.width).toBeGreaterThan(290 + 80);
  });

  it('never returns an empty crop for boxes outside the image', () => {
    const r = bodyRegion([{ x: 5000, y: 5000, w: 10, h: 10, score: 1 }], 100, 100, 'upper-body');
    expect(r.width).toBeGreaterThan(0);
    expect(r.height).toBeGreaterThan(0);
    expect(r.left + r.width).toBeLessThanOrEqual(100);
  });
});
