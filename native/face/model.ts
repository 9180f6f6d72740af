// Loads a BlazeFace ONNX model named in models/manifest.json, after checking that the file is
// the one the manifest describes (sha256): a missing or altered model must fail loudly at
// start-up, not silently detect nothing in front of a customer.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { z } from 'zod';

const ModelEntry = z.object({
  file: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  license: z.string(),
  source: z.object({ package: z.string(), version: z.string(), path: z.string() }),
  input: z.object({
    name: z.string(),
    shape: z.tuple([z.literal(1), z.number().int(), z.number().int(), z.literal(3)]),
    /** Present on a model whose height and width are free: both must be multiples of this. */
    anySizeMultipleOf: z.number().int().positive().optional(),
  }),
  outputs: z.object({ scores: z.tuple([z.string(), z.string()]), boxes: z.tuple([z.string(), z.string()]) }),
});
/** What every model in the manifest has (face detectors, the segmentation model, …); each loader parses its own entry further. */
const AnyModelEntry = z.looseObject({
  file: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  license: z.string(),
  source: z.looseObject({ package: z.string(), version: z.string(), path: z.string() }),
  input: z.looseObject({ name: z.string(), shape: z.array(z.number().int()) }),
});
const Manifest = z.object({ schema: z.literal(1), models: z.record(z.string(), AnyModelEntry) });
export type ModelEntry = z.infer<typeof ModelEntry>;
export type AnyModelEntry = z.infer<typeof AnyModelEntry>;

/** The detector: BlazeFace's back model with a free input size (models/README.md). */
export const DEFAULT_MODEL = 'blazeface-back-any';
/** The short-range model: a second look at each face the long-range one finds (face/verify.ts). */
export const VERIFY_MODEL = 'blazeface-front-128';

/** A model problem that no retry will fix; the message names the file so an operator can act. */
export class ModelError extends Error {
  constructor(
    readonly code: 'MODEL_MISSING' | 'MODEL_ALTERED' | 'MANIFEST_INVALID' | 'MODEL_LOAD_FAILED',
    message: string,
  ) {
    super(message);
    this.name = 'ModelError';
  }
}

export interface RawOutputs {
  scores: [Float32Array, Float32Array];
  boxes: [Float32Array, Float32Array];
}

export interface FaceModel {
  name: string;
  /** Side of the square input, in pixels (256 or 128); for an any-size model, the size it was trained at. */
  inputSize: number;
  /** 0 for a square model; else height and width may be any multiples of this (the any-size detector: 32). */
  anySizeMultipleOf: number;
  /** Runs one NHWC float32 tensor (values −1..1) of height × width × 3 (inputSize² unless the model takes any size). */
  run(input: Float32Array, height?: number, width?: number): Promise<RawOutputs>;
  release(): Promise<void>;
}

export async function readManifest(modelsDir: string): Promise<z.infer<typeof Manifest>> {
  const path = join(modelsDir, 'manifest.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new ModelError('MANIFEST_INVALID', `Model manifest not found: ${path}`);
  }
  const parsed = Manifest.safeParse(safeJson(text));
  if (!parsed.success) throw new ModelError('MANIFEST_INVALID', `Model manifest ${path} is invalid: ${parsed.error.issues[0]?.message ?? 'bad JSON'}`);
  return parsed.data;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Reads and verifies the model bytes; throws ModelError with the path when missing or altered. */
export async function verifiedModelBytes(modelsDir: string, entry: AnyModelEntry): Promise<Buffer> {
  const path = join(modelsDir, entry.file);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch {
    throw new ModelError('MODEL_MISSING', `Face model missing: ${path} (reinstall the app or restore models/)`);
  }
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual !== entry.sha256) {
    throw new ModelError('MODEL_ALTERED', `Face model altered: ${path} has sha256 ${actual}, manifest expects ${entry.sha256}`);
  }
  return bytes;
}

/**
 * Opens an ONNX model the way every model on the kiosk runs: few threads (the kiosk has 2 cores,
 * and the UI, sharp and the live-guidance worker need them too), sequential, fully optimised, and
 * idle threads that sleep — spinning ones steal the CPU decoding needs and measured slower under load.
 */
export async function openSession(bytes: Uint8Array, threads: number, what: string): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(bytes, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      logSeverityLevel: 3,
      extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
    });
  } catch (e) {
    throw new ModelError('MODEL_LOAD_FAILED', `${what} could not be loaded: ${(e as Error).message}`);
  }
}

export async function loadFaceModel(modelsDir: string, name: string = DEFAULT_MODEL, threads = 1): Promise<FaceModel> {
  const manifest = await readManifest(modelsDir);
  const listed = manifest.models[name];
  if (!listed) throw new ModelError('MANIFEST_INVALID', `Model ${name} is not listed in ${join(modelsDir, 'manifest.json')}`);
  const parsed = ModelEntry.safeParse(listed);
  if (!parsed.success) throw new ModelError('MANIFEST_INVALID', `Model ${name} in ${join(modelsDir, 'manifest.json')} is not a face detector entry: ${parsed.error.issues[0]?.message ?? ''}`);
  const entry = parsed.data;
  const bytes = await verifiedModelBytes(modelsDir, entry);
  const session = await openSession(bytes, threads, `Face model ${entry.file}`);
  const size = entry.input.shape[1];
  const multiple = entry.input.anySizeMultipleOf ?? 0;
  const [s0, s1] = entry.outputs.scores;
  const [b0, b1] = entry.outputs.boxes;
  return {
    name,
    inputSize: size,
    anySizeMultipleOf: multiple,
    async run(input, height = size, width = size) {
      const fits = multiple ? height % multiple === 0 && width % multiple === 0 && height > 0 && width > 0 : height === size && width === size;
      if (!fits) throw new Error(`model ${name} does not take a ${width}×${height} input`);
      if (input.length !== height * width * 3) throw new Error(`input tensor has ${input.length} values, expected ${height * width * 3}`);
      const out = await session.run({ [entry.input.name]: new ort.Tensor('float32', input, [1, height, width, 3]) });
      const get = (k: string): Float32Array => {
        const t = out[k];
        if (!t || !(t.data instanceof Float32Array)) throw new Error(`model output ${k} missing`);
        return t.data;
      };
      return { scores: [get(s0), get(s1)], boxes: [get(b0), get(b1)] };
    },
    release: () => session.release(),
  };
}
