// Turns the raw BlazeFace tensors into detections: sigmoid scores, anchor-relative boxes and
// 6 keypoints, then MediaPipe-style weighted non-maximum suppression (overlapping boxes are
// blended by score instead of dropped, which steadies boxes between frames and across tiles).
import { ANCHOR_COUNT, anchorCentres } from './anchors';

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
 * Decodes the two score tensors ([512], [384]) and two regressor tensors ([512×16], [384×16]).
 * Coordinates come out normalised to the model input square (0..1). Scores below `minScore` are dropped
 * early: decoding all 896 rows costs little, but NMS over hundreds of weak boxes does not.
 */
export function decodeRaw(
  scores: [Float32Array, Float32Array],
  boxes: [Float32Array, Float32Array],
  inputSize: number,
  minScore: number,
): Detection[] {
  const anchors = anchorCentres();
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
      const cx = ax + b[o]! / inputSize;
      const cy = ay + b[o + 1]! / inputSize;
      const w = b[o + 2]! / inputSize;
      const h = b[o + 3]! / inputSize;
      if (!(w > 0 && h > 0) || !Number.isFinite(cx + cy + w + h)) continue;
      const keypoints: Array<[number, number]> = [];
      for (let k = 0; k < 6; k++) keypoints.push([ax + b[o + 4 + k * 2]! / inputSize, ay + b[o + 5 + k * 2]! / inputSize]);
      out.push({ x: cx - w / 2, y: cy - h / 2, w, h, score, keypoints });
    }
  }
  if (anchorIndex !== ANCHOR_COUNT) throw new Error(`BlazeFace output has ${anchorIndex} rows, expected ${ANCHOR_COUNT}`);
  return out;
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

/** Overlap relative to the smaller box: catches a tile's half-face inside the whole face of another pass. */
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
