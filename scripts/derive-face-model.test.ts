// The shipped any-size detector is exactly the registry's BlazeFace model with its size freed:
// derived again from the registry file it has the recorded bytes, and it sees what the original sees.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeRaw, decodeScan } from '../native/face/decode';
import { loadFaceModel, readManifest, type FaceModel } from '../native/face/model';
import { resampleInto } from '../native/face/tensor';
import { DERIVED_FILE, deriveAnySize, sha256, SOURCE_FILE } from './derive-face-model';

const modelsDir = join(import.meta.dirname, '..', 'models');
let original: FaceModel;
let derived: FaceModel;

beforeAll(async () => {
  original = await loadFaceModel(modelsDir, 'blazeface-back-256');
  derived = await loadFaceModel(modelsDir, 'blazeface-back-any');
});
afterAll(async () => {
  await original?.release();
  await derived?.release();
});

async function portrait(side: number) {
  const { data, info } = await sharp(join(modelsDir, '..', 'fixtures', 'astronaut.png')).resize(side, side).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

describe('the any-size face detector (models/face_detection_back_anysize.onnx)', () => {
  it('is derived byte for byte from the registry file, both as the manifest records', async () => {
    const m = await readManifest(modelsDir);
    const source = readFileSync(join(modelsDir, SOURCE_FILE));
    expect(sha256(source)).toBe(m.models['blazeface-back-256']!.sha256);
    const again = deriveAnySize(source);
    expect(sha256(again)).toBe(m.models['blazeface-back-any']!.sha256);
    expect(Buffer.from(again).equals(readFileSync(join(modelsDir, DERIVED_FILE)))).toBe(true);
  });

  it('gives the original outputs at 256×256', async () => {
    const tensor = new Float32Array(256 * 256 * 3);
    resampleInto(await portrait(400), { x: 0, y: 0, w: 400, h: 400 }, 400 / 256, 256, 256, tensor);
    const a = await original.run(tensor);
    const b = await derived.run(tensor);
    for (const k of [0, 1] as const) {
      let diff = 0;
      for (let i = 0; i < a.boxes[k].length; i++) diff = Math.max(diff, Math.abs(a.boxes[k][i]! - b.boxes[k][i]!));
      expect(diff).toBeLessThan(1e-3);
    }
    const faces = decodeRaw(b.scores, b.boxes, 256, 0.7);
    expect(faces.length).toBeGreaterThan(0);
  });

  it('finds a face anywhere on a wide canvas where the original finds it in a 256 crop', async () => {
    const face = await portrait(256);
    const crop = new Float32Array(256 * 256 * 3);
    resampleInto(face, { x: 0, y: 0, w: 256, h: 256 }, 1, 256, 256, crop);
    const first = await original.run(crop);
    const [alone] = decodeRaw(first.scores, first.boxes, 256, 0.7).sort((p, q) => q.score - p.score);
    // The same pixels at (288, 96) of a 576×352 black canvas: the last column and row of cells.
    const canvas = { data: Buffer.alloc(576 * 352 * 3), width: 576, height: 352, channels: 3 };
    for (let y = 0; y < 256; y++) face.data.copy(canvas.data, ((96 + y) * 576 + 288) * 3, y * 256 * 3, (y + 1) * 256 * 3);
    const tensor = new Float32Array(576 * 352 * 3);
    resampleInto(canvas, { x: 0, y: 0, w: 576, h: 352 }, 1, 576, 352, tensor);
    const out = await derived.run(tensor, 352, 576);
    const [found] = decodeScan(out.scores, out.boxes, 352, 576, 0.7).sort((p, q) => q.score - p.score);
    expect(found).toBeDefined();
    expect(Math.abs(found!.x - (288 + alone!.x * 256))).toBeLessThan(4);
    expect(Math.abs(found!.y - (96 + alone!.y * 256))).toBeLessThan(4);
    expect(Math.abs(found!.w - alone!.w * 256)).toBeLessThan(4);
    expect(Math.abs(found!.score - alone!.score)).toBeLessThan(0.05);
  });
});
