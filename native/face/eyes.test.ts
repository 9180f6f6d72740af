// The eye measure on real photos: shut eyes (asleep on a pillow, head tilted; meditating, a small
// face) against open ones (portraits, a head rolled 20–25°, a group), and a file that is not the
// manifest's is refused.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PEOPLE_DIR } from '../../fixtures/paths';
import { mergeDetections, scanImage, scanWhole } from './detector';
import { loadEyeModel, type EyeModel } from './eyes';
import { loadFaceModel, ModelError, type FaceModel } from './model';
import { eyesClosed } from './quality';
import { DEFAULT_RULES } from './rules';
import type { RgbImage } from './tensor';

const modelsDir = join(import.meta.dirname, '..', '..', 'models');
let detector: FaceModel;
let eyes: EyeModel;

beforeAll(async () => {
  detector = await loadFaceModel(modelsDir, undefined, 2);
  eyes = await loadEyeModel(modelsDir, 2);
});
afterAll(async () => {
  await detector?.release();
  await eyes?.release();
});

/** Openness of every sure face of at least 80 px in a set photo, largest face first. */
async function measured(file: string) {
  const { data, info } = await sharp(join(PEOPLE_DIR, file)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const img: RgbImage = { data, width: info.width, height: info.height, channels: 3 };
  const fine = Math.min(1, Math.sqrt((8 * 256 * 256) / (img.width * img.height)));
  const faces = mergeDetections([...(await scanWhole(detector, img)), ...(await scanImage(detector, img, fine))])
    .filter((d) => d.score >= 0.7 && Math.min(d.w, d.h) >= 80)
    .sort((a, b) => b.w - a.w);
  const all = await eyes.measure(img, faces);
  // One at a time gives what the batch gives.
  if (faces.length > 1) {
    const [alone] = await eyes.measure(img, [faces[1]!]);
    expect(alone!.left).toBeCloseTo(all[1]!.left, 3);
    expect(alone!.right).toBeCloseTo(all[1]!.right, 3);
  }
  return all;
}

const below = DEFAULT_RULES.eyesClosedBelow;

describe('eye openness (Face Mesh v2)', () => {
  it('sees shut eyes as shut, on a head resting sideways on a pillow and on a 120-px face', async () => {
    for (const file of ['woman_asleep_pillow.jpg', 'woman_meditating_park.jpg']) {
      const [e, ...rest] = await measured(file);
      expect(rest).toEqual([]);
      expect([file, eyesClosed(e!, below)]).toEqual([file, true]);
      expect(Math.max(e!.left, e!.right)).toBeLessThan(0.11);
    }
  });

  it('sees open eyes as open: portraits, rolled heads, a group of two', async () => {
    for (const file of ['biden_portrait.jpg', 'obama_portrait.jpg', 't_obama_roll_m20.jpg', 't_smiling_roll_p25.jpg', 't_two_actors_roll_p15.jpg']) {
      const all = await measured(file);
      expect(all.length).toBeGreaterThan(0);
      for (const e of all) {
        expect([file, eyesClosed(e, below)]).toEqual([file, false]);
        expect(Math.max(e.left, e.right)).toBeGreaterThan(0.15);
      }
    }
  });

  it('refuses a mesh file that is not the one the manifest records', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eyes-model-'));
    try {
      copyFileSync(join(modelsDir, 'manifest.json'), join(dir, 'manifest.json'));
      const bytes = readFileSync(join(modelsDir, 'face_mesh_v2.onnx'));
      bytes[bytes.length - 50] = (bytes[bytes.length - 50]! + 1) % 256;
      writeFileSync(join(dir, 'face_mesh_v2.onnx'), bytes);
      const e = await loadEyeModel(dir).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ModelError);
      expect((e as ModelError).code).toBe('MODEL_ALTERED');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
