// Real cut-outs end to end: real photos of people → the on-device checks (who is a person) → the
// native segmentation worker → the local generator's four variants. Writes a contact sheet
// (input, mask, four variants) to test-results/ for a person to look at.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Style } from '../../../../shared/contract';
import { resourcePaths } from '../../../infra/paths';
import { loadCatalog } from '../../catalog';
import { createChecksService } from '../../checks';
import type { ChecksService } from '../../checks/types';
import { createQualityGate } from '../qualityGate';
import type { GeneratedVariant, GenerateInput } from '../types';
import { familyOf } from '../variants';
import { createLocalGenerator } from './index';
import { createCutoutService, type CutoutService } from './segmenter';
import { APOLLO11_CREW, ASTRONAUT, GIRL_WITH_DOG } from '../../../../../fixtures/paths';

const { assetsDir, modelsDir } = resourcePaths();
const catalog = loadCatalog(assetsDir);
const product = (id: string) => catalog.products.find((p) => p.id === id)!;
const style = (id: string): Style => catalog.styles.find((s) => s.id === id)!;
const OUT_DIR = join(process.cwd(), 'test-results');

type Photo = GenerateInput['photos'][number];
let checks: ChecksService;
let cutouts: CutoutService;
let crew: Photo;
let girl: Photo;
let astronaut: Photo;

async function checked(image: Buffer): Promise<Photo> {
  const r = await checks.checkPhoto(image, { minFacePx: 40 });
  if (!r.jpeg) throw new Error(`fixture unreadable: ${JSON.stringify(r.reasons)}`);
  return { jpeg: r.jpeg, faces: r.faces, width: r.width, height: r.height };
}

function input(over: Partial<GenerateInput>): GenerateInput {
  return {
    orderId: 'ord_cutout',
    product: product('puzzle'),
    style: style('gugong'),
    outfitId: null,
    photos: [astronaut],
    indices: [0, 1, 2, 3],
    seed: 88,
    signal: new AbortController().signal,
    ...over,
  };
}

async function run(gen: ReturnType<typeof createLocalGenerator>, inp: GenerateInput): Promise<GeneratedVariant[]> {
  const out: GeneratedVariant[] = [];
  const failures = await gen.generate(inp, (v) => out.push(v));
  expect(failures).toEqual([]);
  return out.sort((a, b) => a.index - b.index);
}

/** Input photos, their masks (white = person) and the four variants, labelled, in one PNG. */
async function contactSheet(name: string, photos: Photo[], variants: GeneratedVariant[]): Promise<string> {
  const cell = { w: 450, h: 300 };
  const tiles: sharp.OverlayOptions[] = [];
  const fit = (img: Buffer) => sharp(img).resize(cell.w, cell.h, { fit: 'contain', background: '#222' }).png().toBuffer();
  let col = 0;
  for (const p of photos) {
    const c = await cutouts.segment({ image: p.jpeg, faces: p.faces, width: p.width, height: p.height, mode: 'group', maxFacePx: 300 });
    const mask = await sharp(Buffer.from(c.alpha), { raw: { width: c.width, height: c.height, channels: 1 } }).png().toBuffer();
    tiles.push({ input: await fit(p.jpeg), left: col * cell.w, top: 0 }, { input: await fit(mask), left: col * cell.w, top: cell.h });
    col++;
  }
  variants.forEach((v, i) => tiles.push({ input: v.image, left: (i % 2) * 900, top: 2 * cell.h + Math.floor(i / 2) * 600 }));
  const width = Math.max(1800, col * cell.w);
  const vs = await Promise.all(variants.map((v) => sharp(v.image).resize(900, 600).jpeg().toBuffer()));
  vs.forEach((img, i) => (tiles[tiles.length - variants.length + i] = { input: img, left: (i % 2) * 900, top: 2 * cell.h + Math.floor(i / 2) * 600 }));
  mkdirSync(OUT_DIR, { recursive: true });
  const path = join(OUT_DIR, `${name}.png`);
  await sharp({ create: { width, height: 2 * cell.h + 1200, channels: 3, background: '#111' } }).composite(tiles).png({ compressionLevel: 6 }).toFile(path);
  return path;
}

beforeAll(async () => {
  // Generous limits: correctness is tested here, speed in bench:cutout (shared CI machines are slow).
  checks = createChecksService({ modelsDir, threads: 1, timeouts: { check: 60_000, detect: 60_000 } });
  cutouts = createCutoutService({ modelsDir, threads: 1, timeoutMs: 120_000 });
  const photos = await Promise.all([APOLLO11_CREW, GIRL_WITH_DOG, ASTRONAUT].map((f) => checked(readFileSync(f))));
  [crew, girl, astronaut] = [photos[0]!, photos[1]!, photos[2]!];
  expect(crew.faces).toHaveLength(3);
  expect(girl.faces).toHaveLength(1);
}, 180_000);

afterAll(async () => {
  await Promise.all([checks?.close(), cutouts?.close()]);
});

describe('local generator on real cut-outs', () => {
  const gen = () => createLocalGenerator({ assetsDir, segment: cutouts.segment });

  it('cuts the girl out and leaves the dog in the field', async () => {
    const c = await cutouts.segment({ image: girl.jpeg, faces: girl.faces, width: girl.width, height: girl.height, mode: 'group', maxFacePx: 300 });
    const f = c.faces[0]!;
    const at = (x: number, y: number) => c.alpha[Math.round(y) * c.width + Math.round(x)]!;
    expect(at(f.x + f.w / 2, f.y + f.h / 2)).toBeGreaterThan(200); // her face
    expect(at(f.x + f.w / 2, f.y + f.h * 3)).toBeGreaterThan(200); // her sweater
    // The dog's head is up and to the right of her face; the grass far right of her is background.
    expect(at(Math.min(c.width - 1, f.x + f.w * 2.2), Math.max(0, f.y - f.h * 0.6))).toBeLessThan(40);
    expect(at(c.width - 2, c.height - 2)).toBeLessThan(40);
  });

  it('时空拼图 from three separately taken photos: four distinct variants with every face, contact sheet written', async () => {
    const photos = [astronaut, girl, crew];
    const variants = await run(gen(), input({ photos }));
    expect(variants).toHaveLength(4);
    const path = await contactSheet('cutout-puzzle-contact-sheet', photos, variants);
    expect(readFileSync(path).length).toBeGreaterThan(10_000);
    const gate = createQualityGate((img) => checks.detectFaces(img));
    for (const v of variants) expect(await gate(v.image, familyOf(photos))).toEqual({ ok: true });
  }, 120_000);

  it('富贵变身 of the crew photo with a Tang suit that follows the bodies: contact sheet written', async () => {
    const variants = await run(gen(), input({ product: product('makeover'), style: style('xinzhongshi'), outfitId: 'tangzhuang', photos: [crew] }));
    await contactSheet('cutout-makeover-contact-sheet', [crew], variants);
    const gate = createQualityGate((img) => checks.detectFaces(img));
    for (const v of variants) expect(await gate(v.image, familyOf([crew]))).toEqual({ ok: true });
  }, 120_000);
});
