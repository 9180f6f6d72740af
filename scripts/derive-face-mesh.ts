// Derives models/face_mesh_v2.onnx from MediaPipe's Face Mesh v2 (the face landmarker's 478-point
// model) as ONNX, which stores every weight as float16 and takes and gives float16 tensors:
// the same graph with every float16 tensor widened to float32 and the batch size left free —
// nothing else changes (its reshapes already take any batch).
//
// Why: onnxruntime's CPU provider has few float16 kernels, so the stored model runs at 36–44 ms
// per face on the kiosk's CPU; widened, 16–23 ms, with the same landmarks (its test compares); all
// faces of a photo in one batch, ~13.5 ms per face on two threads.
// Why this model: it is the one that sees shut lids (native/face/eyes.ts); Face Mesh v1 draws
// open eyes on closed ones (native/README.md).
//
// Source: the public repository placrosse/Zaru at commit 246d88c2…, file
// 3rdparty/onnx/face_landmarks_detector.onnx (Apache-2.0, MediaPipe), copied unchanged to
// fixtures/models/ for the test (tests only; the kiosk ships only the derived file).
//
// Usage: npx tsx scripts/derive-face-mesh.ts   (then update sha256/bytes in models/manifest.json)
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import type { onnx as O } from 'onnx-proto';
import { FACE_MESH_SOURCE } from '../fixtures/paths';
import { sha256 } from './derive-face-model';
import { halfToFloat } from './float16';

const { onnx } = onnxProto; // a CommonJS module: no named exports under ESM
const { FLOAT, FLOAT16 } = onnx.TensorProto.DataType;

export const SOURCE_PATH = FACE_MESH_SOURCE;
export const DERIVED_FILE = 'face_mesh_v2.onnx';

function widen(t: O.ITensorProto): boolean {
  if (t.dataType !== FLOAT16) return false;
  // float16 values sit in raw_data (2 bytes each) or, per the ONNX spec, one per int32_data entry.
  const halves = t.rawData?.length ? new Uint16Array(new Uint8Array(t.rawData).slice().buffer) : Uint16Array.from(t.int32Data ?? []);
  t.dataType = FLOAT;
  t.rawData = new Uint8Array(Float32Array.from(halves, halfToFloat).buffer);
  t.int32Data = [];
  return true;
}

export function widenToFloat32(source: Uint8Array): Uint8Array {
  const model = onnx.ModelProto.decode(source);
  const graph = model.graph;
  if (!graph) throw new Error('no graph');
  let widened = 0;
  for (const t of graph.initializer ?? []) if (widen(t)) widened++;
  for (const n of graph.node ?? []) {
    for (const a of n.attribute ?? []) {
      if (a.t && widen(a.t)) widened++;
      if (a.name === 'to' && Number(a.i) === FLOAT16) throw new Error(`unexpected Cast to float16 in ${n.name}`);
    }
  }
  for (const v of [...(graph.input ?? []), ...(graph.output ?? []), ...(graph.valueInfo ?? [])]) {
    if (v.type?.tensorType?.elemType === FLOAT16) v.type.tensorType.elemType = FLOAT;
  }
  for (const v of [...(graph.input ?? []), ...(graph.output ?? [])]) {
    const dims = v.type?.tensorType?.shape?.dim;
    if (dims?.length) dims[0] = onnx.TensorShapeProto.Dimension.create({ dimParam: 'batch' });
  }
  if (widened < 100) throw new Error(`not the expected Face Mesh v2 graph (${widened} float16 tensors)`);
  return onnx.ModelProto.encode(model).finish();
}

if (process.argv[1]?.endsWith('derive-face-mesh.ts')) {
  const derived = widenToFloat32(readFileSync(SOURCE_PATH));
  writeFileSync(join(import.meta.dirname, '..', 'models', DERIVED_FILE), derived);
  console.log(`${DERIVED_FILE}: ${derived.length} bytes, sha256 ${sha256(derived)}`);
}
