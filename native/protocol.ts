// The message protocol between the main process and the native worker: every request carries a
// sequence number, every response echoes it, so replies can arrive in any order and a reply for
// a request that already timed out is simply dropped. Plain data only (structured clone); image
// bytes travel as transferred ArrayBuffers, never copied twice.

/** Same shape as contract.FaceBox: a face in original-image pixels after EXIF orientation. */
export interface FaceBoxData {
  x: number;
  y: number;
  w: number;
  h: number;
  score: number;
}

export interface ReasonData {
  code: string;
  message: string;
  /** refusal: the photo is not used; advice: shown with "use anyway", never blocks (native/face/findings.ts). */
  kind: 'refusal' | 'advice';
}

export interface PhotoCheckData {
  ok: boolean;
  faces: FaceBoxData[];
  reasons: ReasonData[];
  width: number;
  height: number;
  /** Compressed upload JPEG, or null when the input could not be read. */
  jpeg: Uint8Array | null;
  /** Raw detections above the detector floor (diagnostics for the CLI; includes ones not counted). */
  detections: number;
  /**
   * Face-like detections set aside as not a person (pets, objects, prints), with the second look's
   * score and, when set aside for its colour (not skin), the tint's degrees off the skin axis.
   */
  notHuman: Array<FaceBoxData & { second: number; tintOff?: number }>;
}

/** Same shape as contract.Guidance. */
export interface GuidanceData {
  faces: number;
  hint: string;
  message: string;
}

/** Optional per-call overrides; the worker applies its defaults for anything missing. */
export interface ThresholdsData {
  minFaces?: number;
  maxFaces?: number;
  minFacePx?: number;
  minScore?: number;
  minSharpness?: number;
  blurRefuse?: number;
  minLuma?: number;
  maxLuma?: number;
  darkRefuse?: number;
  brightRefuse?: number;
  maxTurn?: number;
  smallerRatio?: number;
  minSecondLook?: number;
  maxTintOff?: number;
  eyesClosedBelow?: number;
}

/** A person cut-out for the local generator (native/segment/cutout.ts). */
export interface CutoutArgs {
  image: Uint8Array;
  /** The people to cut out (the checks' faces), in pixels of an image `width` × `height`. */
  faces: FaceBoxData[];
  width: number;
  height: number;
  /** `upper-body`: head and chest (时空拼图); `group`: everyone down to the photo's bottom edge (富贵变身). */
  mode: 'upper-body' | 'group';
  /** The cut-out is scaled so the largest face is at most this tall (default 300: a 300 dpi print). */
  maxFacePx?: number;
  /** …and its long side at most this (default 1800: the print's width). */
  maxLongPx?: number;
}

export interface CutoutData {
  width: number;
  height: number;
  /** Interleaved RGB, width × height × 3. */
  rgb: Uint8Array;
  /** Person alpha (0..255), width × height, refined at this resolution. */
  alpha: Uint8Array;
  /** Faces in cut-out pixels. */
  faces: FaceBoxData[];
  /** Where the crop lies in the EXIF-oriented photo scaled by `scale`. */
  region: { left: number; top: number; width: number; height: number; scale: number };
  timings: { decodeMs: number; modelMs: number; refineMs: number; passes: number };
}

export interface Requests {
  'check-photo': { args: { image: Uint8Array; thresholds?: ThresholdsData }; result: PhotoCheckData };
  'detect-faces': { args: { image: Uint8Array; thresholds?: ThresholdsData }; result: FaceBoxData[] };
  'guide-frame': { args: { image: Uint8Array; thresholds?: ThresholdsData }; result: GuidanceData };
  'cut-out': { args: CutoutArgs; result: CutoutData };
  /** Test hook: the worker crashes (exits) on purpose, to prove the host restarts it. */
  crash: { args: Record<string, never>; result: never };
  /** Test hook: answers after `ms`, to prove the host times out without freezing. */
  sleep: { args: { ms: number }; result: { slept: number } };
}

export type RequestKind = keyof Requests;

export interface RequestMessage<K extends RequestKind = RequestKind> {
  seq: number;
  kind: K;
  args: Requests[K]['args'];
}

export interface ErrorData {
  /** Stable UPPER_SNAKE code (see native/README.md). */
  code: string;
  /** Chinese text for the kiosk screen. */
  message: string;
  retryable: boolean;
  /** English detail for the log (no image data). */
  detail?: string;
}

export type ResponseMessage =
  | { seq: number; ok: true; value: unknown }
  | { seq: number; ok: false; error: ErrorData };

/** Sent once by the worker when its model is loaded (or failed to load, with the reason). */
/** `scaledLoads`: 'on', 'off', or why big JPEGs are decoded from memory (native/image/scaled-load.ts). */
export type ReadyMessage = { ready: true; scaledLoads?: string } | { ready: false; error: ErrorData };

export type WorkerMessage = ResponseMessage | ReadyMessage;

/** Sent by the host to a worker it retires: finish what is running, then exit (see client.ts). */
export interface QuitMessage {
  quit: true;
}

export function isQuitMessage(m: unknown): m is QuitMessage {
  return typeof m === 'object' && m !== null && (m as { quit?: unknown }).quit === true;
}

export function isReadyMessage(m: unknown): m is ReadyMessage {
  return typeof m === 'object' && m !== null && 'ready' in m;
}

export function isResponseMessage(m: unknown): m is ResponseMessage {
  return typeof m === 'object' && m !== null && typeof (m as { seq?: unknown }).seq === 'number' && 'ok' in m;
}

/** Errors the host itself produces (the worker never sent them). */
export const HOST_ERRORS = {
  TIMEOUT: { code: 'CHECK_TIMEOUT', message: '照片处理超时，请再试一次', retryable: true },
  CRASHED: { code: 'CHECKER_RESTARTED', message: '检测程序刚刚重启，请再试一次', retryable: true },
  CLOSED: { code: 'CHECKER_CLOSED', message: '检测程序已关闭', retryable: false },
  MODEL: { code: 'MODEL_UNAVAILABLE', message: '人脸检测模型缺失或被改动，请联系工作人员', retryable: false },
  BUSY: { code: 'CHECKER_BUSY', message: '正在处理上一张照片，请稍等', retryable: true },
} as const satisfies Record<string, ErrorData>;
