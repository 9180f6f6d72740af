// Provenance check for models/selfie_segmentation.onnx: its weights must be those of MediaPipe's
// selfie_segmentation.tflite from the npm package @mediapipe/selfie_segmentation (Apache-2.0).
// The tflite stores float16 weights; the ONNX file float32. Every run of four float16 values of
// the tflite, widened to float32, is looked up in the ONNX bytes. A conversion of the same model
// finds most of them (weight tensors laid out alike); another model finds none.
// Usage: npm pack @mediapipe/selfie_segmentation@0.1.1675465747 && tar xzf mediapipe-*.tgz
//        npx tsx scripts/verify-selfie-model.ts package/selfie_segmentation.tflite
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { halfToFloat } from './float16';

const tflite = readFileSync(process.argv[2] ?? 'package/selfie_segmentation.tflite');
const onnx = readFileSync(process.argv[3] ?? join(import.meta.dirname, '..', 'models', 'selfie_segmentation.onnx'));
const windows = new Set<string>();
for (let i = 0; i + 16 <= onnx.length; i++) windows.add(onnx.toString('latin1', i, i + 16));
const f32 = Buffer.alloc(16);
let total = 0;
let found = 0;
for (let i = 0; i + 8 <= tflite.length; i += 8) {
  let zero = true;
  for (let k = 0; k < 4; k++) {
    const h = tflite.readUInt16LE(i + 2 * k);
    if (h) zero = false;
    f32.writeFloatLE(halfToFloat(h), 4 * k);
  }
  if (zero) continue;
  total++;
  if (windows.has(f32.toString('latin1'))) found++;
}
const share = found / Math.max(1, total);
console.log(`float16 runs found in the ONNX file: ${found} of ${total} (${(share * 100).toFixed(1)} %)`);
console.log(share > 0.5 ? 'OK: same weights' : 'MISMATCH: not the same model');
process.exit(share > 0.5 ? 0 : 1);
