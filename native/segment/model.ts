// Loads the person-segmentation model named in models/manifest.json (MediaPipe Selfie
// Segmentation, 256×256, NHWC RGB 0..1 → one probability per pixel) after checking its sha256,
// exactly as the face models are checked: a missing or altered file fails loudly, it never
// silently cuts nobody out.
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { z } from 'zod';
import { ModelError, openSession, readManifest, verifiedModelBytes } from '../face/model';

export const SEGMENT_MODEL = 'selfie-segmentation-256';

const SegEntry = z.looseObject({
  file: z.string(),
  sha256: z.string(),
  license: z.string(),
  source: z.looseObject({ package: z.string(), version: z.string(), path: z.string() }),
  input: z.looseObject({ name: z.string(), shape: z.tuple([z.literal(1), z.number().int(), z.number().int(), z.literal(3)]) }),
  outputs: z.looseObject({ mask: z.string() }),
});

export interface SegmentModel {
  /** Input height and width in pixels (256 × 256). */
  inputH: number;
  inputW: number;
  /** One NHWC float32 tensor (RGB 0..1) → person probability per input pixel (0..1). */
  run(input: Float32Array): Promise<Float32Array>;
  release(): Promise<void>;
}

export async function loadSegmentModel(modelsDir: string, threads = 1, name: string = SEGMENT_MODEL): Promise<SegmentModel> {
  const manifest = await readManifest(modelsDir);
  const parsed = SegEntry.safeParse(manifest.models[name]);
  if (!parsed.success) throw new ModelError('MANIFEST_INVALID', `Segmentation model ${name} is missing or invalid in ${join(modelsDir, 'manifest.json')}`);
  const entry = parsed.data;
  const bytes = await verifiedModelBytes(modelsDir, entry);
  const session = await openSession(bytes, threads, `Segmentation model ${entry.file}`);
  const [, h, w] = entry.input.shape;
  const dims = [1, h, w, 3];
  return {
    inputH: h,
    inputW: w,
    async run(input) {
      if (input.length !== h * w * 3) throw new Error(`input tensor has ${input.length} values, expected ${h * w * 3}`);
      const out = await session.run({ [entry.input.name]: new ort.Tensor('float32', input, dims) });
      const t = out[entry.outputs.mask];
      if (!t || !(t.data instanceof Float32Array) || t.data.length !== h * w) throw new Error(`model output ${entry.outputs.mask} missing`);
      return t.data;
    },
    release: () => session.release(),
  };
}
