// Face detection over a decoded RGB image with BlazeFace's any-size model: the whole picture is
// scanned in one pass at the scale its faces need — 256 px on the long side for big faces, larger
// (more model pixels per image pixel) for the small faces of a group photo taken from 2–3 m.
// Results are in the pixel space of the image given (the caller scales them to the original).
//
// Why one scan and not tiles: the network is fully convolutional, so a scan of a 576×352 canvas
// computes what six overlapping 256×256 tiles did, minus the overlap (a third of each tile) and
// the per-tile letterbox; cost grows with the canvas area (measured: ~7–11 ms per 256×256 of
// canvas on this machine, from 256×256 to 1024×768). A face cut by a tile seam no longer exists.
import { decodeScan, overlapOfSmaller, scaled, weightedNms, type Detection } from './decode';
import type { FaceModel } from './model';
import { resampleInto, type RgbImage } from './tensor';

/** Detections this low are never worth keeping, even for live hints. */
export const DETECT_FLOOR = 0.5;

/** The canvas the whole frame is scanned at: its long side, as the model was trained. */
export const WHOLE_SIDE = 256;

/**
 * Scans the whole image at `scale` model pixels per image pixel: the picture in the top-left
 * corner of a canvas rounded up to the model's multiple (32), the rest black as in MediaPipe's
 * letterbox. Detections whose centre falls on the padding are dropped.
 */
export async function scanImage(model: FaceModel, img: RgbImage, scale: number, floor = DETECT_FLOOR): Promise<Detection[]> {
  const multiple = model.anySizeMultipleOf;
  if (!multiple) throw new Error(`model ${model.name} takes only ${model.inputSize}×${model.inputSize} inputs; the detector needs the any-size model`);
  const usedW = Math.max(1, Math.ceil(img.width * scale));
  const usedH = Math.max(1, Math.ceil(img.height * scale));
  const width = Math.ceil(usedW / multiple) * multiple;
  const height = Math.ceil(usedH / multiple) * multiple;
  const tensor = new Float32Array(width * height * 3);
  resampleInto(img, { x: 0, y: 0, w: img.width, h: img.height }, 1 / scale, width, height, tensor);
  const raw = await model.run(tensor, height, width);
  return weightedNms(decodeScan(raw.scores, raw.boxes, height, width, floor))
    .filter((d) => d.x + d.w / 2 < usedW && d.y + d.h / 2 < usedH)
    .map((d) => scaled(d, 1 / scale));
}

/** Model pixels per image pixel that put the long side at WHOLE_SIDE. */
export const wholeScale = (img: RgbImage): number => WHOLE_SIDE / Math.max(img.width, img.height);

/** The whole frame at WHOLE_SIDE on its long side: finds faces from ~1/13 of that side up. */
export function scanWhole(model: FaceModel, img: RgbImage, floor = DETECT_FLOOR): Promise<Detection[]> {
  return scanImage(model, img, wholeScale(img), floor);
}

/** Blends the same face seen by several scans; drops a box mostly inside a better one. */
export function mergeDetections(dets: Detection[]): Detection[] {
  const blended = weightedNms(dets, 0.3).sort((a, b) => b.score - a.score);
  const kept: Detection[] = [];
  for (const d of blended) if (!kept.some((k) => overlapOfSmaller(k, d) > 0.5)) kept.push(d);
  return kept.sort((a, b) => a.x - b.x);
}
