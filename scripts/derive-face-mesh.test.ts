// The shipped eye model is exactly Face Mesh v2 with its float16 tensors widened: derived again
// from the source file it has the recorded bytes, and it puts the landmarks where the source does.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { ASTRONAUT } from '../fixtures/paths';
import { readManifest } from '../native/face/model';
import { sha256 } from './derive-face-model';
import { DERIVED_FILE, SOURCE_PATH, widenToFloat32 } from './derive-face-mesh';
import { halfToFloat } from './float16';

const modelsDir = join(import.meta.dirname, '..', 'models');

/** Float → IEEE half (round to nearest), for feeding the float16 source model. */
function toHalf(v: number): number {
  const f = new Float32Array([v]);
  const x = new Uint32Array(f.buffer)[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = ((x >>> 23) & 0xff) - 127 + 15;
  if (exp <= 0) return sign;
  if (exp >= 31) return sign | 0x7c00;
  return sign | (exp << 10) | Math.round((x & 0x7fffff) / 0x2000);
}

describe('the eye model (models/face_mesh_v2.onnx)', () => {
  it('is derived byte for byte from the recorded source file, as the manifest records', async () => {
    const m = await readManifest(modelsDir);
    const entry = m.models['face-mesh-v2']!;
    const source = readFileSync(SOURCE_PATH);
    expect(entry.source.path).toContain(sha256(source));
    const again = widenToFloat32(source);
    expect(sha256(again)).toBe(entry.sha256);
    expect(Buffer.from(again).equals(readFileSync(join(modelsDir, DERIVED_FILE)))).toBe(true);
  });

  it('widens halves exactly', () => {
    expect([0x3c00, 0xc000, 0x3555, 0x0001, 0x7c00].map(halfToFloat)).toEqual([1, -2, 0.333251953125, 2 ** -24, Infinity]);
  });

  it('puts the landmarks where the float16 source puts them', async () => {
    const { data } = await sharp(ASTRONAUT).resize(256, 256).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const planar = new Float32Array(3 * 256 * 256);
    for (let p = 0; p < 256 * 256; p++) for (let c = 0; c < 3; c++) planar[c * 256 * 256 + p] = data[p * 3 + c]! / 127.5 - 1;
    const run = async (bytes: Uint8Array, input: ort.Tensor): Promise<Float32Array> => {
      const s = await ort.InferenceSession.create(bytes);
      const out = (await s.run({ [s.inputNames[0]!]: input }))[s.outputNames[0]!]!.data;
      await s.release();
      return out instanceof Float32Array ? out : Float32Array.from(out as Uint16Array, halfToFloat);
    };
    const half = await run(readFileSync(SOURCE_PATH), new ort.Tensor('float16', Uint16Array.from(planar, toHalf), [1, 3, 256, 256]));
    const wide = await run(readFileSync(join(modelsDir, DERIVED_FILE)), new ort.Tensor('float32', planar, [1, 3, 256, 256]));
    expect(wide.length).toBe(478 * 3);
    let worst = 0;
    for (let i = 0; i < wide.length; i += 3) worst = Math.max(worst, Math.hypot(wide[i]! - half[i]!, wide[i + 1]! - half[i + 1]!));
    expect(worst).toBeLessThan(1); // input pixels of 256: float16 rounding, no more
  });
});
