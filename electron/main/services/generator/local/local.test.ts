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
import { createLocalGenerator, LOCAL_ENHANCED } from './index';
import { bodyRegion, cutPhoto, MAX_FACE_PX, tightenMask } from './people';
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

describe('尊享 (model "enhanced"): the local compositor’s best path', () => {
  it('renders the same picture at 2700×1800 (standard stays 1800×1200), still passing the quality gate', async () => {
    const gen = createLocalGenerator({ assetsDir });
    const inp = input({ product: makeover, style: style('hongmu'), photos: [group], indices: [0] });
    const [std] = await run(gen, inp);
    const [enh] = await run(gen, { ...inp, model: 'enhanced' });
    expect(await sharp(std!.image).metadata()).toMatchObject({ width: 1800, height: 1200 });
    expect(await sharp(enh!.image).metadata()).toMatchObject({ width: 2700, height: 1800 });
    // Same layout and scene, only sharper: side by side at a small size they match closely.
    expect(meanDiff(await thumb(std!.image), await thumb(enh!.image))).toBeLessThan(6);
    const gate = createQualityGate((img) => checks.detectFaces(img));
    expect(await gate(enh!.image, familyOf([group]))).toEqual({ ok: true });
    // More detail where it counts: the enhanced picture, brought down to the standard size, is no
    // blurrier, and at its own size carries more fine detail than the standard one scaled up.
    const edges = async (img: Buffer, w: number, h: number) => {
      const { data, info } = await sharp(img).resize(w, h, { fit: 'fill' }).grayscale().raw().toBuffer({ resolveWithObject: true });
      let e = 0;
      for (let y = 1; y < info.height - 1; y++) for (let x = 1; x < info.width - 1; x++) {
        const i = y * info.width + x;
        e += Math.abs(4 * data[i]! - data[i - 1]! - data[i + 1]! - data[i - info.width]! - data[i + info.width]!);
      }
      return e / (info.width * info.height);
    };
    expect(await edges(enh!.image, 2700, 1800)).toBeGreaterThan((await edges(std!.image, 2700, 1800)) * 1.1);
  });

  it('keeps faces at up to 450 px in the cut (standard: MAX_FACE_PX) and tightens the mask edge', async () => {
    // A sharp phone photo with a large face (the checked copy is smaller; the cut reads the photo's own pixels).
    const k = 2000 / portrait.width;
    const big = {
      jpeg: await sharp(readFileSync(ASTRONAUT)).resize(2000, Math.round(portrait.height * k)).jpeg({ quality: 92 }).toBuffer(),
      faces: portrait.faces.map((f) => ({ ...f, x: f.x * k, y: f.y * k, w: f.w * k, h: f.h * k })),
      width: 2000,
      height: Math.round(portrait.height * k),
    };
    const std = await cutPhoto(big, { mode: 'group', outfit: null });
    const enh = await cutPhoto(big, { mode: 'group', outfit: null, maxFacePx: LOCAL_ENHANCED.maxFacePx, refineMask: true });
    const face = (c: typeof std) => Math.max(...c.faces.map((f) => f.h));
    expect(face(std)).toBeLessThanOrEqual(MAX_FACE_PX);
    expect(face(enh)).toBeGreaterThan(MAX_FACE_PX * LOCAL_ENHANCED.scale);
    expect(face(enh)).toBeLessThanOrEqual(LOCAL_ENHANCED.maxFacePx);
    // The faint outer fringe (the old room's halo) is gone; the solid inside is kept.
    const soft = Buffer.from([0, 5, 12, 17, 40, 128, 230, 255]);
    const tight = tightenMask(soft);
    expect([...tight.subarray(0, 4)]).toEqual([0, 0, 0, 0]);
    expect([...tight.subarray(6)]).toEqual([230, 255].map((v) => Math.min(255, Math.round(v * 1.08 - 18))));
    const faint = (a: Buffer) => a.filter((v) => v > 0 && v < 16).length / a.length;
    expect(faint(enh.alpha)).toBeLessThan(faint(std.alpha));
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
