// The second look: a close crop for the short-range model, mid-grey past the image edge.
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import * as F from '../../bench/fixtures-faces';
import { loadFaceModel } from './model';
import { cropSquareInto, type RgbImage } from './tensor';
import { VERIFY_MIN, verifyScore } from './verify';

const modelsDir = join(import.meta.dirname, '..', '..', 'models');

async function rgb(buf: Buffer): Promise<RgbImage> {
  const { data, info } = await sharp(buf).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

describe('the crop for the second look', () => {
  it('is mid-grey past the edge of the image and the image colour inside, enlarging or shrinking', () => {
    const img: RgbImage = { data: new Uint8Array(40 * 40 * 3).fill(255), width: 40, height: 40, channels: 3 };
    // A square centred on the image's top-left corner: the image fills its lower-right quarter.
    const cases = [
      { side: 32, inside: [50, 50], outside: [20, 60] }, // enlarging 2×: the image is tensor px 32..64
      { side: 256, inside: [34, 34], outside: [45, 45] }, // shrinking 4×: the image is tensor px 32..42
    ];
    for (const { side, inside, outside } of cases) {
      const out = new Float32Array(64 * 64 * 3);
      cropSquareInto(img, 0, 0, side, 64, out);
      const at = ([x, y]: number[]): number => out[(y! * 64 + x!) * 3]!;
      expect({ side, outside: at(outside) }).toEqual({ side, outside: 0 });
      expect({ side, corner: at([5, 5]) }).toEqual({ side, corner: 0 });
      expect({ side, inside: at(inside) }).toEqual({ side, inside: 1 });
    }
  });
});

describe('the second look', () => {
  it('scores a human face high and a real cat below the bar', async () => {
    const front = await loadFaceModel(modelsDir, 'blazeface-front-128');
    try {
      const person = await rgb(F.astronautPng());
      expect(await verifyScore(front, person, { x: 173, y: 75, w: 103, h: 103, score: 0.9, keypoints: [] })).toBeGreaterThan(0.85);
      // Where the long-range model puts the tabby's "face" (score 0.69–0.75 there).
      const cat = await rgb(F.catPng());
      expect(await verifyScore(front, cat, { x: 150, y: 50, w: 205, h: 205, score: 0.72, keypoints: [] })).toBeLessThan(VERIFY_MIN);
    } finally {
      await front.release();
    }
  });
});
