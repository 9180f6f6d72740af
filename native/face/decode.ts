// Turns the raw BlazeFace tensors into detections: sigmoid scores, anchor-relative boxes and
// 6 keypoints, then MediaPipe-style weighted non-maximum suppression (overlapping boxes are
// blended by score instead of dropped, which steadies boxes between frames and across scans).
import { ANCHOR_COUNT, anchorCount, anchorPixels } from './anchors';

/** Keypoint order of the model: right eye, left eye, nose tip, mouth centre, right ear, left ear (subject's sides). */
export const KEYPOINTS = ['rightEye', 'leftEye', 'nose', 'mouth', 'rightEar', 'leftEar'] as const;

export interface Detection {
  /** Box in the coordinate space of the caller (normalised input space until mapped). */
  x: number;
  y: number;
  w: number;
  h: number;
  score: number;
  /** 6 keypoints as [x, y] pairs, same space as the box. */
  keypoints: Array<[number, number]>;
}

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-Math.max(-80, Math.min(80, v))));

/**
 * Decodes the two score tensors ([512], [384]) and two regressor tensors ([512×16], [384×16]) of a
 * square model (the 256 back or the 128 front one: the same 16×16 + 8×8 cells at either size).
 * Coordinates come out normalised to the model input square (0..1).
 */
export function decodeRaw(
  scores: [Float32Array, Float32Array],
  boxes: [Float32Array, Float32Array],
  inputSize: number,
  minScore: number,
): Detection[] {
  const k = inputSize / 256;
  const anchors = anchorPixels(256, 256).map((v) => v * k);
  const dets = decodeRows(scores, boxes, anchors, minScore);
  if (scores[0].length + scores[1].length !== ANCHOR_COUNT) throw new Error(`BlazeFace output has ${scores[0].length + scores[1].length} rows, expected ${ANCHOR_COUNT}`);
  return dets.map((d) => scaled(d, 1 / inputSize));
}

/**
 * Decodes the outputs of the any-size model for a height × width input: boxes and keypoints in
 * input pixels.
 */
export function decodeScan(
  scores: [Float32Array, Float32Array],
  boxes: [Float32Array, Float32Array],
  height: number,
  width: number,
  minScore: number,
): Detection[] {
  const rows = scores[0].length + scores[1].length;
  const expected = anchorCount(height, width);
  if (rows !== expected) throw new Error(`BlazeFace output has ${rows} rows, expected ${expected} for ${width}×${height}`);
  return decodeRows(scores, boxes, anchorPixels(height, width), minScore);
}

/**
 * Sigmoid scores; box and 6 keypoints offset from their anchor (centres in input pixels, as the
 * offsets are). Scores below `minScore` are dropped early: decoding every row costs little, but
 * NMS over hundreds of weak boxes does not.
 */
function decodeRows(scores: [Float32Array, Float32Array], boxes: [Float32Array, Float32Array], anchors: Float32Array, minScore: number): Detection[] {
  const out: Detection[] = [];
  let anchorIndex = 0;
  for (let layer = 0; layer < 2; layer++) {
    const s = scores[layer]!;
    const b = boxes[layer]!;
    for (let r = 0; r < s.length; r++, anchorIndex++) {
      const raw = s[r]!;
      if (!Number.isFinite(raw)) continue;
      const score = sigmoid(raw);
      if (score < minScore) continue;
      const ax = anchors[anchorIndex * 2]!;
      const ay = anchors[anchorIndex * 2 + 1]!;
      const o = r * 16;
      const cx = ax + b[o]!;
      const cy = ay + b[o + 1]!;
      const w = b[o + 2]!;
      const h = b[o + 3]!;
      if (!(w > 0 && h > 0) || !Number.isFinite(cx + cy + w + h)) continue;
      const keypoints: Array<[number, number]> = [];
      for (let k = 0; k < 6; k++) keypoints.push([ax + b[o + 4 + k * 2]!, ay + b[o + 5 + k * 2]!]);
      out.push({ x: cx - w / 2, y: cy - h / 2, w, h, score, keypoints });
    }
  }
  return out;
}

/** The same detection with every coordinate multiplied by `k`. */
export function scaled(d: Detection, k: number, dx = 0, dy = 0): Detection {
  return {
    x: dx + d.x * k,
    y: dy + d.y * k,
    w: d.w * k,
    h: d.h * k,
    score: d.score,
    keypoints: d.keypoints.map(([x, y]) => [dx + x * k, dy + y * k] as [number, number]),
  };
}

/** Area shared by two boxes. */
function intersection(a: Detection, b: Detection): number {
  const w = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
  return Math.max(0, w) * Math.max(0, h);
}

export function iou(a: Detection, b: Detection): number {
  const inter = intersection(a, b);
  const union = a.w * a.h + b.w * b.h - inter;
  return union > 0 ? inter / union : 0;
}

/** Overlap relative to the smaller box: catches a part-face box inside the whole face of another scan. */
export function overlapOfSmaller(a: Detection, b: Detection): number {
  const smaller = Math.min(a.w * a.h, b.w * b.h);
  return smaller > 0 ? intersection(a, b) / smaller : 0;
}

/**
 * Weighted NMS: take the best box, blend every box overlapping it by more than `iouThreshold`
 * (weights = scores), keep the best score. Repeat on the rest.
 */
export function weightedNms(dets: Detection[], iouThreshold = 0.3): Detection[] {
  const rest = [...dets].sort((a, b) => b.score - a.score);
  const out: Detection[] = [];
  while (rest.length > 0) {
    const best = rest[0]!;
    const group: Detection[] = [];
    for (let i = rest.length - 1; i >= 0; i--) {
      if (iou(best, rest[i]!) > iouThreshold) {
        group.push(rest[i]!);
        rest.splice(i, 1);
      }
    }
    if (group.length === 0) {
      group.push(best);
      rest.shift();
    }
    let total = 0;
    const acc = { x: 0, y: 0, w: 0, h: 0, kp: new Array<number>(12).fill(0) };
    for (const d of group) {
      total += d.score;
      acc.x += d.x * d.score;
      acc.y += d.y * d.score;
      acc.w += d.w * d.score;
      acc.h += d.h * d.score;
      d.keypoints.forEach(([kx, ky], k) => {
        acc.kp[k * 2] = acc.kp[k * 2]! + kx * d.score;
        acc.kp[k * 2 + 1] = acc.kp[k * 2 + 1]! + ky * d.score;
      });
    }
    out.push({
      x: acc.x / total,
      y: acc.y / total,
      w: acc.w / total,
      h: acc.h / total,
      score: best.score,
      keypoints: KEYPOINTS.map((_, k) => [acc.kp[k * 2]! / total, acc.kp[k * 2 + 1]! / total] as [number, number]),
    });
  }
  return out;
}
