// The three jobs of the checks, composed from native/face and native/image. Runs wherever it is
// created: inside the worker thread in the app, in-process in the benchmark.
import type { Detection } from '../face/decode';
import { mergeDetections, scanImage, scanWhole, WHOLE_SIDE, wholeScale } from '../face/detector';
import { loadFaceModel, DEFAULT_MODEL, VERIFY_MODEL, type FaceModel } from '../face/model';
import { faceTint, greyCrop, headCutOff, meanOf, plausibleFace, sharpness as sharpnessOf, skinColoured, turnAmount, type EyeOpenness } from '../face/quality';
import { loadEyeModel, type EyeModel } from '../face/eyes';
import { applyRules, countedFaces, CUT_FLOOR, DEFAULT_RULES, WEAK_FLOOR, type Reason, type RuleInput, type RuleThresholds } from '../face/rules';
import { dropNonHuman, VERIFY_MIN } from '../face/verify';
import type { RgbImage } from '../face/tensor';
import { DEFAULT_COMPRESS, decodeUpload, encodeToBudget, halveTo, shrinkTo, type CompressOptions } from '../image/compress';
import { DEFAULT_LIMITS, decodeWorkImage, probeImage, type DecodeLimits } from '../image/decode';
import { InputFailure, INPUT_FAILURES } from '../image/failures';
import { ScaledLoads, ScratchFiles } from '../image/scaled-load';
import type { FaceBoxData, GuidanceData, PhotoCheckData } from '../protocol';

/** Long side of the image the detector works on (JPEG shrink-on-load picks the nearest 1/2ⁿ). */
export const WORK_LONG = 1024;
/**
 * Scans of a still. The whole frame (256 px long side) finds big faces. A fine scan makes a face of
 * minFacePx ~24 px in the model (below ~20 px recall drops, see native/README.md); a coarse one
 * makes it 16 px, within COARSE_MAX_AREA. The fine scan runs only when no sure face was
 * seen or a small one was; otherwise the coarse one checks for faces the whole frame was too
 * coarse for. A scan never enlarges the work image (its pixels are all there is) and never
 * exceeds STILL_MAX_AREA model pixels (a cost bound: cost grows with the area).
 */
export const MODEL_PX_FOR_MIN_FACE = 24;
export const STILL_MAX_AREA = 20 * 256 * 256;
/**
 * Long side from which a JPEG is decoded twice in parallel (upload size + detection size): from
 * where libjpeg can decode the detection copy at 1/2 scale (2 × 0.85 × WORK_LONG, see
 * decodeWorkImage). A 1080p frame: the 1/2 decode takes ~8.5 ms CPU against ~13 ms for the full
 * decode plus ~7 ms for halving it, so detection starts ~9 ms sooner for about the same CPU.
 */
const PARALLEL_DECODE_FROM = Math.ceil(2 * 0.85 * WORK_LONG);
const COARSE_MODEL_PX = 16;
/**
 * The coarse scan's canvas budget: what the tiled detector's ≤ 6 coarse tiles (overlapping by a
 * third) covered. Where it binds (12 MP: ~0.14 model px per original px, a face of 1.5 × minFacePx
 * at ~16 model px) the coarse scan is as coarse as those tiles were; where it does not (1080p,
 * 1600-px phone photos) a face of minFacePx lands at 16 model px, as it did in their tiles.
 */
const COARSE_MAX_AREA = 3.5 * 256 * 256;
/** A face below this multiple of minFacePx in the whole frame or the coarse scan suggests smaller ones were missed. */
const FINE_TRIGGER = 1.5;

interface Scans {
  modelPx: number;
  maxArea: number;
  /** Long side from which a JPEG is decoded twice in parallel (see PARALLEL_DECODE_FROM). */
  parallelFrom: number;
}

/**
 * Whole frame; then the fine scan when no sure face or a small one was seen, else the coarse scan,
 * and the fine one after it if that finds a small face. A close family photo so costs the whole
 * frame and one coarse scan; a far one the whole frame and one fine scan.
 */
async function detectStill(model: FaceModel, work: RgbImage, originalLong: number, t: RuleThresholds, scans: Scans, floor: number): Promise<Detection[]> {
  const workPerOriginal = Math.max(work.width, work.height) / originalLong;
  const isSmall = (d: Detection): boolean => Math.min(d.w, d.h) / workPerOriginal < FINE_TRIGGER * t.minFacePx;
  const needsFine = (dets: Detection[]): boolean => countedFaces(dets, t.minScore).length === 0 || dets.some(isSmall);
  // Model px per work px that put a face of minFacePx original pixels at `modelPx` model pixels.
  const scaleFor = (modelPx: number, maxArea: number): number => scanScale(work, modelPx / (t.minFacePx * workPerOriginal), maxArea);
  const whole = wholeScale(work);
  const fine = scaleFor(scans.modelPx, scans.maxArea);
  const coarse = scaleFor(Math.min(COARSE_MODEL_PX, scans.modelPx), Math.min(COARSE_MAX_AREA, scans.maxArea));
  // A scan hardly finer than the one before it finds nothing new (a 1080p frame: the coarse scale is the whole frame's).
  const finer = (scale: number, than: number): boolean => scale > than * 1.15;

  let found = await scanWhole(model, work, floor);
  let last = whole;
  if (!needsFine(found) && finer(coarse, whole)) {
    found = mergeDetections([...found, ...(await scanImage(model, work, coarse, floor))]);
    last = coarse;
  }
  if (needsFine(found) && finer(fine, last)) found = mergeDetections([...found, ...(await scanImage(model, work, fine, floor))]);
  return found;
}

/** `wanted` model px per work px, no more than 1 (enlarging adds no detail) nor than `maxArea` allows. */
function scanScale(work: RgbImage, wanted: number, maxArea: number): number {
  return Math.min(wanted, 1, Math.sqrt(maxArea / (work.width * work.height)));
}

export interface PipelineOptions {
  modelsDir: string;
  model?: string;
  threads?: number;
  limits?: Partial<DecodeLimits>;
  compress?: Partial<CompressOptions>;
  /** Fine scan of stills: a face of minFacePx lands at this many model pixels (more = a larger canvas). */
  modelPxForMinFace?: number;
  /** Largest canvas of one scan, in model pixels (width × height). */
  maxScanArea?: number;
  /** Long side from which a JPEG is decoded twice in parallel (detection and upload sizes); A/B runs only. */
  parallelDecodeFrom?: number;
  /**
   * Where big JPEGs are written for a scaled decode (native/image/scaled-load.ts); default
   * /dev/shm on Linux, else the temp directory. `false` decodes everything from memory.
   */
  scratchDir?: string | false;
  /** Load the eye model (Face Mesh v2, ~5 MB) for EYES_CLOSED; off for a worker that only guides live frames. */
  eyes?: boolean;
}

export interface Pipeline {
  checkPhoto(image: Uint8Array, thresholds?: Partial<RuleThresholds>): Promise<PhotoCheckData>;
  detectFaces(image: Uint8Array, thresholds?: Partial<RuleThresholds>): Promise<FaceBoxData[]>;
  /** 'on', 'off', or why big JPEGs are decoded from memory (for the log and the benchmark). */
  scaledLoads(): string;
  guideFrame(image: Uint8Array, opts?: Partial<GuideOptions>): Promise<GuidanceData>;
  close(): Promise<void>;
}

export interface GuideOptions extends RuleThresholds {
  /** A face smaller than this share of the frame's long side gets "请靠近一点". */
  minFaceFraction: number;
}

export const DEFAULT_GUIDE: GuideOptions = { ...DEFAULT_RULES, minFaceFraction: 0.045 };

export async function createPipeline(opts: PipelineOptions): Promise<Pipeline> {
  const threads = opts.threads ?? 1;
  // All `threads` even while libvips decodes and encodes the upload copy: a scan is one big
  // inference that both cores speed up (A/B against one thread while libvips works, interleaved,
  // 30 runs × 2: 12 MP p95 179/175 vs 194/197 ms, 1080p 115/105 vs 122/106 ms). With 256-px tiles
  // it was the other way round, so the tiled detector kept a one-thread session for those moments.
  const detector = await loadFaceModel(opts.modelsDir, opts.model ?? DEFAULT_MODEL, threads);
  const verifier = await loadFaceModel(opts.modelsDir, VERIFY_MODEL, 1);
  const eyes = opts.eyes === false ? null : await loadEyeModel(opts.modelsDir, threads);
  const model: Models = { detector, verifier, eyes };
  const limits: DecodeLimits = { ...DEFAULT_LIMITS, ...opts.limits };
  const compress: CompressOptions = { ...DEFAULT_COMPRESS, ...opts.compress };
  const scans: Scans = {
    modelPx: opts.modelPxForMinFace ?? MODEL_PX_FOR_MIN_FACE,
    maxArea: opts.maxScanArea ?? STILL_MAX_AREA,
    parallelFrom: opts.parallelDecodeFrom ?? PARALLEL_DECODE_FROM,
  };
  const scaled = opts.scratchDir === false ? undefined : new ScaledLoads(new ScratchFiles(opts.scratchDir));
  return {
    checkPhoto: (image, t) => checkPhoto(model, image, { ...DEFAULT_RULES, ...t }, limits, compress, scans, scaled),
    detectFaces: (image, t) => detectFaces(model, image, { ...DEFAULT_RULES, ...t }, limits, scans, scaled),
    scaledLoads: () => (scaled ? scaled.disabledBecause ?? 'on' : 'off'),
    guideFrame: (image, g) => guideFrame(model, image, { ...DEFAULT_GUIDE, ...g }, limits),
    close: async () => {
      scaled?.close();
      await detector.release();
      await verifier.release();
      await eyes?.release();
    },
  };
}

export function failureOutcome(e: unknown): PhotoCheckData {
  const f = e instanceof InputFailure ? e : new InputFailure('UNREADABLE', e instanceof Error ? e.message : String(e));
  return { ok: false, faces: [], reasons: [{ code: f.code, message: INPUT_FAILURES[f.code], kind: 'refusal' }], width: 0, height: 0, jpeg: null, detections: 0, notHuman: [] };
}

function toOriginal(d: Detection, f: number): Detection {
  return {
    x: d.x * f,
    y: d.y * f,
    w: d.w * f,
    h: d.h * f,
    score: d.score,
    keypoints: d.keypoints.map(([x, y]) => [x * f, y * f] as [number, number]),
  };
}

export function faceBox(d: Detection): FaceBoxData {
  return { x: Math.round(d.x), y: Math.round(d.y), w: Math.round(d.w), h: Math.round(d.h), score: Math.round(d.score * 1000) / 1000 };
}

function imageLuma(img: RgbImage): number {
  const { data, channels } = img;
  const pixels = img.width * img.height;
  const step = Math.max(1, Math.floor(pixels / 20_000));
  let s = 0;
  let n = 0;
  for (let p = 0; p < pixels; p += step, n++) {
    const o = p * channels;
    s += 0.299 * data[o]! + 0.587 * data[o + 1]! + 0.114 * data[o + 2]!;
  }
  return n ? s / n : 0;
}

const r3 = (x: number): number => Math.round(x * 1000) / 1000;

/** The detector, the short-range model that takes a second look at each face (face/verify.ts), and the eye measure (face/eyes.ts). */
interface Models {
  detector: FaceModel;
  verifier: FaceModel;
  /** Null in a worker that only guides live frames. */
  eyes: EyeModel | null;
}

/** Detections that could count as a face, or explain why none does (LOW_CONFIDENCE): these get the second look. */
const faceLike =
  (min: number) =>
  (d: Detection): boolean =>
    d.score >= min && plausibleFace(d);

async function detectOriginal(model: Models, image: Uint8Array, t: RuleThresholds, limits: DecodeLimits, floor: number, scans: Scans, scaled?: ScaledLoads) {
  const probe = await probeImage(image, limits);
  const work = await decodeWorkImage(image, probe, WORK_LONG, limits, scaled);
  const f = probe.width / work.width;
  const found = await detectStill(model.detector, work, Math.max(probe.width, probe.height), t, scans, floor);
  // The generator's quality gate keeps the second look's original bar (VERIFY_MIN): the stricter
  // still-photo bar (minSecondLook) is tuned on customer photos, not on generated pictures.
  const { kept } = await dropNonHuman(model.verifier, work, found, 1, faceLike(Math.min(WEAK_FLOOR, t.minScore)));
  return { probe, work, detections: kept.map((d) => toOriginal(d, f)) };
}

async function checkPhoto(
  model: Models,
  image: Uint8Array,
  t: RuleThresholds,
  limits: DecodeLimits,
  copts: CompressOptions,
  scans: Scans,
  scaled?: ScaledLoads,
): Promise<PhotoCheckData> {
  let probe;
  try {
    probe = await probeImage(image, limits);
  } catch (e) {
    return failureOutcome(e);
  }
  try {
    // Small photos are decoded once: detection works on a halved copy of the upload-size pixels.
    // Big JPEGs (12 MP and up) are decoded twice at once, each straight at its own libjpeg scale
    // (detection 1/4, upload 1/2, see image/scaled-load.ts): more CPU than one decode, but
    // detection, the longer chain, starts after ~30 ms instead of ~50.
    const long = Math.max(probe.width, probe.height);
    const separate = probe.format === 'jpeg' && long >= scans.parallelFrom;
    // The detection decode is queued first: detection, not the encode, is the longer chain.
    const workDecode = separate ? decodeWorkImage(image, probe, WORK_LONG, limits, scaled) : null;
    workDecode?.catch(() => undefined);
    const uploading = decodeUpload(image, copts, limits, long, scaled ? { probe, loads: scaled } : undefined);
    uploading.catch(() => undefined);
    const encoding = uploading.then((u) => encodeToBudget(u, copts, limits));
    encoding.catch(() => undefined); // awaited below; avoids an unhandled rejection if detection fails first
    // Detection runs on this thread (and ONNX's) while libvips decodes and encodes the upload copy.
    const work = workDecode ? await workDecode : await shrinkTo(halveTo(await uploading, WORK_LONG), WORK_LONG);
    const f = probe.width / work.width;
    const found = await detectStill(model.detector, work, Math.max(probe.width, probe.height), t, scans, CUT_FLOOR);
    const upload = await uploading;
    // Face regions are judged at the resolution that will be sent to the AI, not at the tiny work
    // size: the second look (a pet is not a person) and the measures below.
    const u = upload.width / probe.width;
    const { kept: looked, dropped, seconds } = await dropNonHuman(
      model.verifier,
      upload,
      found.map((d) => toOriginal(d, f)),
      u,
      faceLike(Math.min(WEAK_FLOOR, t.minScore)),
      // The stricter bar only for detections that would count as a person; weak ones only explain
      // a refusal (LOW_CONFIDENCE) and keep the original bar, so a washed-out face is not "not a person".
      (d) => (d.score >= t.minScore ? t.minSecondLook : VERIFY_MIN),
    );
    // A face that would count but whose colour is no skin's (a purple banknote portrait, a blue
    // poster, a green statue) is a print, not a person: set aside like a pet. Grey faces pass.
    const notHuman: PhotoCheckData['notHuman'] = dropped.map(({ det, second }) => ({ ...faceBox(det), second: r3(second) }));
    const detections: Detection[] = [];
    for (const d of looked) {
      const tint = d.score >= t.minScore && plausibleFace(d) ? faceTint(upload, { x: d.x * u, y: d.y * u, w: d.w * u, h: d.h * u }) : null;
      if (!tint || skinColoured(tint, t.maxTintOff)) {
        detections.push(d);
        continue;
      }
      dropped.push({ det: d, second: seconds.get(d) ?? 1 });
      notHuman.push({ ...faceBox(d), second: r3(seconds.get(d) ?? 1), tintOff: Math.round(tint.off) });
    }
    const measure = (d: Detection) => {
      const grey = greyCrop(upload, { x: d.x * u, y: d.y * u, w: d.w * u, h: d.h * u });
      return { det: d, sharpness: sharpnessOf(grey), luma: meanOf(grey) };
    };
    const input: RuleInput = { width: probe.width, height: probe.height, detections, measure, imageLuma: imageLuma(work), setAside: dropped.map((x) => x.det) };
    let outcome = applyRules(input, t);
    // Eyes last, and only on a photo nothing refuses: each face costs a Face Mesh pass (~13.5 ms),
    // and advice on a photo that is retaken anyway helps nobody. A failed measure only loses the
    // advice: it must not turn a usable photo into a refusal.
    if (outcome.ok && t.eyesClosedBelow > 0 && model.eyes) {
      const faces = outcome.faces.filter((f) => Math.min(f.w, f.h) >= t.minFacePx);
      const measured = await model.eyes.measure(upload, faces.map((f) => toOriginal(f, u))).catch(() => null);
      if (measured) {
        const eyes = new Map<Detection, EyeOpenness>(faces.map((f, i) => [f, measured[i]!]));
        outcome = applyRules({ ...input, measure: (d) => ({ ...measure(d), eyes: eyes.get(d) }) }, t);
      }
    }
    const compressed = await encoding;
    return {
      ok: outcome.ok,
      faces: outcome.faces.map(faceBox),
      reasons: outcome.reasons,
      width: probe.width,
      height: probe.height,
      jpeg: compressed.jpeg,
      detections: found.length,
      notHuman,
    };
  } catch (e) {
    return failureOutcome(e);
  }
}

async function detectFaces(model: Models, image: Uint8Array, t: RuleThresholds, limits: DecodeLimits, scans: Scans, scaled?: ScaledLoads): Promise<FaceBoxData[]> {
  const { detections } = await detectOriginal(model, image, t, limits, CUT_FLOOR, scans, scaled);
  return countedFaces(detections, t.minScore).map(faceBox);
}

const GUIDE_LIMITS: Partial<DecodeLimits> = { maxBytes: 2 * 1024 * 1024, maxPixels: 4_000_000, minSide: 16 };
const GUIDE_WORK_LONG = 320;

const HINTS: Record<string, string> = {
  OK: '很好，请保持不动',
  NO_FACE: '请站到镜头前，看着屏幕',
  TOO_DARK: '光线太暗',
  TOO_BRIGHT: '光线太亮，请避开强光',
  TOO_MANY: '人太多了，一次最多 {max} 个人',
  MOVE_CLOSER: '请靠近一点',
  MOVE_TO_CENTER: '请往画面中间站',
  LOOK_AT_CAMERA: '请看镜头',
  UNREADABLE: '摄像头画面异常，请稍等',
};

export function hint(code: keyof typeof HINTS, faces: number, t: { maxFaces: number }): GuidanceData {
  return { faces, hint: code, message: HINTS[code]!.replace('{max}', String(t.maxFaces)) };
}

async function guideFrame(model: Models, image: Uint8Array, g: GuideOptions, base: DecodeLimits): Promise<GuidanceData> {
  const limits: DecodeLimits = { ...base, ...GUIDE_LIMITS };
  let work: RgbImage;
  try {
    const probe = await probeImage(image, limits);
    work = await decodeWorkImage(image, probe, GUIDE_WORK_LONG, limits);
  } catch {
    return hint('UNREADABLE', 0, g);
  }
  // One whole-frame scan is enough when people stand close; a finer one (the frame's short side at
  // 256 model px, never enlarged) only when nobody sure is seen or someone is small, so the
  // common frame costs one small inference.
  const long = Math.max(work.width, work.height);
  let dets = await scanWhole(model.detector, work, CUT_FLOOR);
  const small = (d: Detection): boolean => Math.min(d.w, d.h) < 2 * g.minFaceFraction * long;
  const finer = Math.min(1, WHOLE_SIDE / Math.min(work.width, work.height));
  if ((countedFaces(dets, g.minScore).length === 0 || dets.some(small)) && finer > wholeScale(work)) {
    dets = mergeDetections([...dets, ...(await scanImage(model.detector, work, finer, CUT_FLOOR))]);
  }
  const { kept: faces } = await dropNonHuman(model.verifier, work, countedFaces(dets, g.minScore), 1, () => true);
  const luma = faces.length ? faces.reduce((s, f) => s + meanOf(greyCrop(work, f)), 0) / faces.length : imageLuma(work);
  // One hint, the most useful first: light before position before pose.
  if (luma < g.minLuma) return hint('TOO_DARK', faces.length, g);
  if (faces.length === 0) return hint(luma > g.maxLuma ? 'TOO_BRIGHT' : 'NO_FACE', 0, g);
  if (faces.length > g.maxFaces) return hint('TOO_MANY', faces.length, g);
  if (faces.some((f) => Math.min(f.w, f.h) < g.minFaceFraction * long)) return hint('MOVE_CLOSER', faces.length, g);
  if (faces.some((f) => headCutOff(f, work.width, work.height))) return hint('MOVE_TO_CENTER', faces.length, g);
  if (faces.some((f) => turnAmount(f) > g.maxTurn)) return hint('LOOK_AT_CAMERA', faces.length, g);
  if (luma > g.maxLuma) return hint('TOO_BRIGHT', faces.length, g);
  return hint('OK', faces.length, g);
}

export type { Reason };
