import * as F from './bench/fixtures-faces';
import { createPipeline } from './native/host/pipeline';
import * as M from './native/face/model';
const orig = M.loadFaceModel;
const stats: Record<string, { n: number; ms: number }> = {};
const p = await createPipeline({ modelsDir: './models', threads: 2 });
// count inferences through onnxruntime's InferenceSession.run
const ort = await import('onnxruntime-node');
const proto = (ort.InferenceSession as any).prototype ?? null;
const sessProto = Object.getPrototypeOf((await ort.InferenceSession.create('./models/face_detection_front_128x128_barracuda.onnx')));
const run0 = sessProto.run;
let n = 0, ms = 0;
sessProto.run = async function (...a: any[]) { const t = performance.now(); const r = await run0.apply(this, a); ms += performance.now() - t; n++; return r; };
for (const [name, img] of [['1080p', (await F.frame1080p(2, 110)).image], ['12mp', (await F.twelveMegapixel(3, 180)).image], ['12mp_far', (await F.twelveMegapixel(4, 110)).image]] as const) {
  await p.checkPhoto(img);
  const T: number[] = []; const N: number[] = []; const MS: number[] = [];
  for (let i = 0; i < 15; i++) { n = 0; ms = 0; const t = performance.now(); await p.checkPhoto(img); T.push(performance.now() - t); N.push(n); MS.push(ms); }
  T.sort((a, b) => a - b);
  console.log(name, 'p50', T[7]!.toFixed(0), 'min', T[0]!.toFixed(0), 'inferences', N[0], 'infer ms', (MS.reduce((a, b) => a + b) / 15).toFixed(0));
}
await p.close();
