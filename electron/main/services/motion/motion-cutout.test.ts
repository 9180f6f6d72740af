// The local 微动态 on the local generator's cut-out: a real group photo → the on-device checks →
// the native segmentation worker → a variant and its layers (scene without the people, still
// mask) → the clip. The scene must move while the people stay the photo's own, unmoving pixels.
// Writes a frame grid to test-results/ for a person to look at.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APOLLO11_CREW } from '../../../../fixtures/paths';
import { writeFrameGrid } from '../../../../native/video/frame-grid';
import { greyFrames } from '../../../../native/video/testing/family-photo';
import { resourcePaths } from '../../infra/paths';
import { loadCatalog } from '../catalog';
import { createChecksService } from '../checks';
import type { ChecksService } from '../checks/types';
import { labelDelivered } from '../generator/aigc';
import { createLocalGenerator } from '../generator/local/index';
import { createCutoutService, type CutoutService } from '../generator/local/segmenter';
import type { GeneratedVariant } from '../generator/types';
import { MotionConfig } from './config';
import { motionLayerPaths } from './layers';
import { createLocalMotionRenderer } from './local';

const { assetsDir, modelsDir } = resourcePaths();
const catalog = loadCatalog(assetsDir);
const OUT_DIR = join(process.cwd(), 'test-results');
const W = 540;
const H = 360;

let checks: ChecksService;
let cutouts: CutoutService;
let dir: string;

beforeAll(() => {
  checks = createChecksService({ modelsDir, threads: 1, timeouts: { check: 60_000, detect: 60_000 } });
  cutouts = createCutoutService({ modelsDir, threads: 1, timeoutMs: 120_000 });
  dir = mkdtempSync(join(tmpdir(), 'motion-cutout-'));
});

afterAll(async () => {
  await Promise.all([checks?.close(), cutouts?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

/** Pixels of `mask` (one band, W×H) whose whole (2r+1)² neighbourhood satisfies `keep`: away from the edge. */
function interior(mask: Buffer, keep: (v: number) => boolean, r: number): Uint8Array {
  const out = new Uint8Array(W * H);
  for (let y = r; y < H - r; y++) {
    for (let x = r; x < W - r; x++) {
      let ok = true;
      for (let dy = -r; dy <= r && ok; dy++) for (let dx = -r; dx <= r && ok; dx++) ok = keep(mask[(y + dy) * W + x + dx]!);
      out[y * W + x] = ok ? 1 : 0;
    }
  }
  return out;
}

function meanDiffWhere(a: Buffer, b: Buffer, where: Uint8Array): { diff: number; n: number } {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < where.length; i++) {
    if (!where[i]) continue;
    sum += Math.abs(a[i]! - b[i]!);
    n++;
  }
  return { diff: sum / Math.max(1, n), n };
}

describe('local 微动态 on the cut-out', () => {
  it('moves the scene behind the crew while the people stay identical; frame grid written', async () => {
    const r = await checks.checkPhoto(readFileSync(APOLLO11_CREW), { minFacePx: 40 });
    expect(r.faces).toHaveLength(3);
    const gen = createLocalGenerator({ assetsDir, segment: cutouts.segment });
    const got: GeneratedVariant[] = [];
    const failures = await gen.generate(
      {
        orderId: 'ord_motion',
        product: catalog.products.find((p) => p.id === 'makeover')!,
        style: catalog.styles.find((s) => s.id === 'xinzhongshi')!,
        outfitId: null,
        photos: [{ jpeg: r.jpeg!, faces: r.faces, width: r.width, height: r.height }],
        indices: [0],
        seed: 5,
        signal: new AbortController().signal,
      },
      (v) => got.push(v),
    );
    expect(failures).toEqual([]);
    const v = got[0]!;
    expect(v.layers).toBeDefined();
    const layers = await v.layers!();

    // As the order flow stores them: the delivered (labelled) picture with its layers beside it.
    const finalPath = join(dir, 'final.jpg');
    writeFileSync(finalPath, await labelDelivered(v.image, { orderId: 'ord_motion', provider: 'local' }));
    const paths = motionLayerPaths(join(dir, 'r0-v0.jpg'));
    writeFileSync(paths.stillMask, layers.stillMask);
    writeFileSync(paths.scene, layers.scene);

    const renderer = createLocalMotionRenderer({ config: MotionConfig.parse({ provider: 'local', livePhoto: false, local: { width: W } }) });
    const out = await renderer.render({ imagePath: finalPath, faces: r.faces, effect: 'lanterns', outDir: join(dir, 'motion'), signal: new AbortController().signal, layers: paths });

    const mask = await sharp(layers.stillMask).resize(W, H, { fit: 'fill' }).extractChannel(0).raw().toBuffer();
    const people = interior(mask, (m) => m === 255, 3);
    const scene = interior(mask, (m) => m === 0, 3);
    const [first, mid, last] = await greyFrames(out.mp4Path, [0, 62, 124], W, H);
    const inside = meanDiffWhere(first!, last!, people);
    const outside = meanDiffWhere(first!, last!, scene);
    const insideMid = meanDiffWhere(first!, mid!, people);
    // The people cover a good part of the picture and the scene the rest.
    expect(inside.n).toBeGreaterThan(W * H * 0.08);
    expect(outside.n).toBeGreaterThan(W * H * 0.2);
    // People: the same pixels in every frame (only the encoder's rounding); the scene: visibly moved.
    expect(inside.diff).toBeLessThan(1.5);
    expect(insideMid.diff).toBeLessThan(1.5);
    expect(outside.diff).toBeGreaterThan(4);
    expect(outside.diff).toBeGreaterThan(5 * inside.diff);

    mkdirSync(OUT_DIR, { recursive: true });
    const grid = await writeFrameGrid(out.mp4Path, join(OUT_DIR, 'motion-cutout-frames.png'), { cols: 3, rows: 2, tileWidth: 540 });
    expect(readFileSync(grid).length).toBeGreaterThan(10_000);
    console.log(`motion on the cut-out: people ${inside.diff.toFixed(2)}, scene ${outside.diff.toFixed(2)} mean grey difference first→last frame; grid ${grid}`);
  }, 240_000);
});
