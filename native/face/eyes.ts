// How open a face's eyes are, from MediaPipe Face Mesh v2 (478 landmarks, the eyelids among them;
// models/manifest.json `face-mesh-v2`): BlazeFace gives an eye centre and nothing about lids. The
// face is cropped as MediaPipe crops it for the mesh (the detection box grown 1.5×, square, turned
// so the eye keypoints are level) and each eye's opening is its aspect ratio: the two lid-to-lid
// heights over twice the corner-to-corner width. On the labelled set (native/README.md, "Closed
// eyes") open eyes measure ≥ 0.15 and shut ones 0.05–0.10. Face Mesh v1 cannot be used for this:
// it draws open lids on shut eyes.
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { z } from 'zod';
import type { Detection } from './decode';
import { ModelError, openSession, readManifest, verifiedModelBytes } from './model';
import type { EyeOpenness } from './quality';
import type { RgbImage } from './tensor';

export const EYE_MODEL = 'face-mesh-v2';
/** Crop side as a multiple of the detection box's long side (MediaPipe's face-mesh region). */
export const MESH_GROW = 1.5;

/** Face Mesh landmark indices per eye: outer corner, two upper-lid points, inner corner, the two lower-lid points below them. */
const RIGHT_EYE = [33, 160, 158, 133, 153, 144] as const;
const LEFT_EYE = [263, 387, 385, 362, 380, 373] as const;

export interface EyeModel {
  /** Openness of the eyes of each face (in `img` pixels), all in one batch: ~13.5 ms per face on two threads against ~16 alone. */
  measure(img: RgbImage, faces: Detection[]): Promise<EyeOpenness[]>;
  release(): Promise<void>;
}

const MeshEntry = z.looseObject({
  file: z.string(),
  sha256: z.string(),
  license: z.string(),
  source: z.looseObject({ package: z.string(), version: z.string(), path: z.string() }),
  input: z.looseObject({ name: z.string(), shape: z.tuple([z.literal(1), z.literal(3), z.number().int(), z.number().int()]) }),
  outputs: z.looseObject({ landmarks: z.string() }),
});

export async function loadEyeModel(modelsDir: string, threads = 1, name: string = EYE_MODEL): Promise<EyeModel> {
  const manifest = await readManifest(modelsDir);
  const parsed = MeshEntry.safeParse(manifest.models[name]);
  if (!parsed.success) throw new ModelError('MANIFEST_INVALID', `Eye model ${name} is missing or invalid in ${join(modelsDir, 'manifest.json')}`);
  const entry = parsed.data;
  const session = await openSession(await verifiedModelBytes(modelsDir, entry), threads, `Eye model ${entry.file}`);
  const size = entry.input.shape[2];
  return {
    async measure(img, faces) {
      if (faces.length === 0) return [];
      const one = 3 * size * size;
      const batch = new Float32Array(faces.length * one);
      faces.forEach((d, i) => batch.set(meshInput(img, d, size), i * one));
      const out = await session.run({ [entry.input.name]: new ort.Tensor('float32', batch, [faces.length, 3, size, size]) });
      const points = out[entry.outputs.landmarks]?.data;
      const per = points instanceof Float32Array ? points.length / faces.length : 0;
      if (!(points instanceof Float32Array) || per < 468 * 3) throw new Error(`model output ${entry.outputs.landmarks} missing`);
      return faces.map((_, i) => eyeOpenness(points.subarray(i * per, (i + 1) * per)));
    },
    release: () => session.release(),
  };
}

/**
 * The mesh's input for face `d`: NCHW, −1..1, a square of MESH_GROW × the box's long side around its
 * centre, rotated so the eye keypoints are level (the mesh expects an upright face; a head resting
 * on a pillow is not). Shrinking averages n×n samples per pixel so a big face is not aliased;
 * outside the image is mid-grey.
 */
export function meshInput(img: RgbImage, d: Detection, size: number): Float32Array {
  const [rightEye, leftEye] = d.keypoints;
  const angle = rightEye && leftEye ? Math.atan2(leftEye[1] - rightEye[1], leftEye[0] - rightEye[0]) : 0;
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const side = Math.max(d.w, d.h) * MESH_GROW;
  const cx = d.x + d.w / 2;
  const cy = d.y + d.h / 2;
  const step = side / size; // image pixels per input pixel
  const n = Math.max(1, Math.min(4, Math.round(step)));
  const out = new Float32Array(3 * size * size);
  const plane = size * size;
  const { data, width, height, channels } = img;
  const inv = 1 / (n * n * 127.5);
  for (let ty = 0; ty < size; ty++) {
    for (let tx = 0; tx < size; tx++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let sy = 0; sy < n; sy++) {
        const v = (ty + (sy + 0.5) / n) * step - side / 2;
        for (let sx = 0; sx < n; sx++) {
          const u = (tx + (sx + 0.5) / n) * step - side / 2;
          const x = Math.floor(cx + u * cos - v * sin);
          const y = Math.floor(cy + u * sin + v * cos);
          if (x < 0 || y < 0 || x >= width || y >= height) {
            r += 127.5;
            g += 127.5;
            b += 127.5;
            continue;
          }
          const o = (y * width + x) * channels;
          r += data[o]!;
          g += data[o + 1]!;
          b += data[o + 2]!;
        }
      }
      const p = ty * size + tx;
      out[p] = r * inv - 1;
      out[plane + p] = g * inv - 1;
      out[2 * plane + p] = b * inv - 1;
    }
  }
  return out;
}

/** Eye aspect ratio of one eye from the mesh's flat [x, y, z, …] landmarks (0 when degenerate). */
function aspect(points: Float32Array, eye: readonly number[]): number {
  const at = (i: number): [number, number] => [points[eye[i]! * 3]!, points[eye[i]! * 3 + 1]!];
  const dist = (a: [number, number], b: [number, number]): number => Math.hypot(a[0] - b[0], a[1] - b[1]);
  const width = dist(at(0), at(3));
  return width > 0 ? (dist(at(1), at(5)) + dist(at(2), at(4))) / (2 * width) : 0;
}

export function eyeOpenness(points: Float32Array): EyeOpenness {
  return { right: aspect(points, RIGHT_EYE), left: aspect(points, LEFT_EYE) };
}
