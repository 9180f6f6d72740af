// A second look at each face the detector reports. BlazeFace's long-range model, scanned at fine scales,
// also fires on animal faces: a real tabby cat (skimage's "chelsea") scores 0.70–0.75 with a
// human-like keypoint layout. Its short-range model, shown a close crop around the box, tells
// them apart: human faces score 0.79–0.95 there (portraits, groups, dark, bright, blurred, rolled,
// glasses, masks, 40–70 px faces), the cat 0.49–0.60 and a rocket 0.45–0.56 (native/README.md, "Pets").
// A detection that fails this look is not a person and is dropped.
import type { Detection } from './decode';
import { decodeRaw, weightedNms } from './decode';
import type { FaceModel } from './model';
import { cropSquareInto, type RgbImage } from './tensor';

/** Crop side as a multiple of the face box side: the short-range model expects a close-up. */
export const VERIFY_GROW = 1.6;
/** A detection whose crop scores below this is not taken for a human face. */
export const VERIFY_MIN = 0.7;

/**
 * The short-range model's best score on a crop around `d` (in `img` pixels). Only a detection whose
 * centre lies near the crop's centre counts, so a neighbour's face in the crop does not vouch for it.
 */
export async function verifyScore(model: FaceModel, img: RgbImage, d: Detection): Promise<number> {
  const size = model.inputSize;
  const tensor = new Float32Array(size * size * 3);
  const side = Math.max(d.w, d.h) * VERIFY_GROW;
  cropSquareInto(img, d.x + d.w / 2, d.y + d.h / 2, side, size, tensor);
  const raw = await model.run(tensor);
  let best = 0;
  for (const v of weightedNms(decodeRaw(raw.scores, raw.boxes, size, 0.2))) {
    const cx = v.x + v.w / 2;
    const cy = v.y + v.h / 2;
    if (Math.abs(cx - 0.5) < 0.25 && Math.abs(cy - 0.5) < 0.25) best = Math.max(best, v.score);
  }
  return best;
}

/** Faces smaller than this (in the verified image's pixels) have too few pixels to judge: kept as found. */
export const VERIFY_MIN_SIDE = 32;

export interface Verified {
  kept: Detection[];
  /** Detections that failed the second look, with its score (diagnostics: CLI and log). */
  dropped: Array<{ det: Detection; second: number }>;
  /** The second look's score of each kept detection that had one (diagnostics when a later check sets it aside). */
  seconds: Map<Detection, number>;
}

/**
 * Drops the detections `which` selects that fail the second look; the others pass unchanged.
 * `scale` maps detection coordinates to `img` pixels (e.g. original → upload size).
 */
export async function dropNonHuman(
  model: FaceModel,
  img: RgbImage,
  dets: Detection[],
  scale: number,
  which: (d: Detection) => boolean,
  min: number | ((d: Detection) => number) = VERIFY_MIN,
): Promise<Verified> {
  const out: Verified = { kept: [], dropped: [], seconds: new Map() };
  for (const d of dets) {
    const inImg = { ...d, x: d.x * scale, y: d.y * scale, w: d.w * scale, h: d.h * scale };
    if (!which(d) || Math.min(inImg.w, inImg.h) < VERIFY_MIN_SIDE) {
      out.kept.push(d);
      continue;
    }
    const second = await verifyScore(model, img, inImg);
    if (second >= (typeof min === 'number' ? min : min(d))) {
      out.kept.push(d);
      out.seconds.set(d, second);
    } else out.dropped.push({ det: d, second });
  }
  return out;
}
