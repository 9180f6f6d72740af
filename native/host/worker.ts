// Worker-thread entry: loads the face model once, then answers sequence-tagged requests
// (native/protocol.ts). Runs from TS sources (tsx) and from the esbuild bundle dist/native/worker.cjs.
import { parentPort, workerData } from 'node:worker_threads';
import { InputFailure } from '../image/failures';
import type { ErrorData, QuitMessage, ReadyMessage, RequestMessage, ResponseMessage } from '../protocol';
import { HOST_ERRORS, isQuitMessage } from '../protocol';
import { cutOut } from '../segment/cutout';
import { loadSegmentModel, type SegmentModel } from '../segment/model';
import { createPipeline, type Pipeline, type PipelineOptions } from './pipeline';

export interface WorkerConfig extends PipelineOptions {
  /** Enables the `crash` and `sleep` requests (tests only). */
  testHooks?: boolean;
}

const port = parentPort;
if (!port) throw new Error('native/host/worker must run as a worker thread');
const config = workerData as WorkerConfig;

let pipeline: Pipeline | null = null;
let initError: ErrorData | null = null;
const ready: Promise<void> = createPipeline(config).then(
  (p) => {
    pipeline = p;
    port.postMessage({ ready: true, scaledLoads: p.scaledLoads() } satisfies ReadyMessage);
  },
  (e: unknown) => {
    const detail = e instanceof Error ? e.message : String(e);
    initError = { ...HOST_ERRORS.MODEL, detail };
    port.postMessage({ ready: false, error: initError } satisfies ReadyMessage);
  },
);

function toError(e: unknown): ErrorData {
  if (e instanceof InputFailure) return { code: e.code, message: e.message, retryable: false, detail: e.detail };
  return { code: 'INTERNAL', message: '系统开小差了，请稍后再试', retryable: true, detail: e instanceof Error ? e.message : String(e) };
}

/** Hands a buffer over without a copy when it owns its whole ArrayBuffer; copies otherwise. */
function transferable(b: Uint8Array): Uint8Array {
  if (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer) return b;
  return new Uint8Array(b);
}

// The segmentation model loads on the first cut-out: the checks' workers never pay for it.
let segmenter: Promise<SegmentModel> | null = null;
function segmentModel(): Promise<SegmentModel> {
  segmenter ??= loadSegmentModel(config.modelsDir, config.threads ?? 1).catch((e: unknown) => {
    segmenter = null;
    throw { ...HOST_ERRORS.MODEL, message: '抠图模型缺失或被改动，请联系工作人员', detail: e instanceof Error ? e.message : String(e) } satisfies ErrorData;
  });
  return segmenter;
}

async function handle(msg: RequestMessage): Promise<{ value: unknown; transfer: ArrayBuffer[] }> {
  await ready;
  if (!pipeline) throw initError ?? HOST_ERRORS.MODEL;
  switch (msg.kind) {
    case 'check-photo': {
      const { image, thresholds } = msg.args as RequestMessage<'check-photo'>['args'];
      const out = await pipeline.checkPhoto(image, thresholds);
      const jpeg = out.jpeg ? transferable(out.jpeg) : null;
      return { value: { ...out, jpeg }, transfer: jpeg ? [jpeg.buffer as ArrayBuffer] : [] };
    }
    case 'detect-faces': {
      const { image, thresholds } = msg.args as RequestMessage<'detect-faces'>['args'];
      return { value: await pipeline.detectFaces(image, thresholds), transfer: [] };
    }
    case 'guide-frame': {
      const { image, thresholds } = msg.args as RequestMessage<'guide-frame'>['args'];
      return { value: await pipeline.guideFrame(image, thresholds), transfer: [] };
    }
    case 'cut-out': {
      const out = await cutOut(await segmentModel(), msg.args as RequestMessage<'cut-out'>['args']);
      const rgb = transferable(out.rgb);
      const alpha = transferable(out.alpha);
      return { value: { ...out, rgb, alpha }, transfer: [rgb.buffer as ArrayBuffer, alpha.buffer as ArrayBuffer] };
    }
    case 'sleep': {
      if (!config.testHooks) break;
      const { ms } = msg.args as { ms: number };
      await new Promise((r) => setTimeout(r, ms));
      return { value: { slept: ms }, transfer: [] };
    }
    case 'crash':
      if (!config.testHooks) break;
      process.exit(70);
  }
  throw new Error(`unknown request kind ${String(msg.kind)}`);
}

// Requests being handled; a retired worker exits once none is left (never in the middle of an
// inference: tearing down onnxruntime-node there aborts the whole process).
let inFlight = 0;
let quitting = false;
const exitIfIdle = () => {
  if (quitting && inFlight === 0) process.exit(0);
};

port.on('message', (msg: RequestMessage | QuitMessage) => {
  if (isQuitMessage(msg)) {
    quitting = true;
    exitIfIdle();
    return;
  }
  if (quitting) return; // the host has already replaced this worker
  inFlight++;
  handle(msg)
    .then(
      ({ value, transfer }) => port.postMessage({ seq: msg.seq, ok: true, value } satisfies ResponseMessage, transfer),
      (e: unknown) => {
        const error = typeof e === 'object' && e !== null && 'code' in e && 'retryable' in e ? (e as ErrorData) : toError(e);
        port.postMessage({ seq: msg.seq, ok: false, error } satisfies ResponseMessage);
      },
    )
    .finally(() => {
      inFlight--;
      exitIfIdle();
    });
});
