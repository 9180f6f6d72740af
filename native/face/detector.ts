// Face detection over a decoded RGB image: one letterboxed whole-frame pass, plus an optional
// tiled pass so that the small faces of a group photo taken from 2–3 m are found too. Results are
// in the pixel space of the image given (the caller scales them to the original).
import { decodeRaw, overlapOfSmaller, weightedNms, type Detection } from './decode';
import type { FaceModel, RawOutputs } from './model';
import { letterboxInto, type Letterbox, type Region, type RgbImage } from './tensor';

export interface DetectOptions {
  /** Detections below this never leave the detector (the rules apply the product threshold later). */
  floorScore?: number;
  /**
   * Side of a tile in image pixels; 0 = whole frame only. Tiles overlap by a third, so any face up to
   * a third of a tile lies wholly inside one.
   */
  tileSide?: number;
  /** Upper bound on tiles, whatever the image size (keeps the worst case bounded in time). */
  maxTiles?: number;
  /** Skip the whole-frame pass (a second, finer tile pass after a first full detection). */
  tilesOnly?: boolean;
  /**
   * Checked after each region (in order) with the detections kept so far: once it returns true no
   * further region is started. `stopped` on the result tells.
   */
  stopWhen?: (found: readonly Detection[]) => boolean;
}

/** Merged detections; `stopped` when `stopWhen` ended the pass before every region was run. */
export type DetectResult = Detection[] & { stopped?: boolean };

/** Detections this low are never worth keeping, even for live hints. */
export const DETECT_FLOOR = 0.5;

export async function detectInImage(model: FaceModel, img: RgbImage, opts: DetectOptions = {}): Promise<DetectResult> {
  const floor = opts.floorScore ?? DETECT_FLOOR;
  const regions: { region: Region; tile: boolean }[] = [];
  if (!opts.tilesOnly) regions.push({ region: { x: 0, y: 0, w: img.width, h: img.height }, tile: false });
  const tileSide = opts.tileSide ?? 0;
  if (tileSide > 0 && Math.max(img.width, img.height) > tileSide * 1.2) {
    for (const tile of planTiles(img.width, img.height, tileSide, opts.maxTiles ?? 12)) regions.push({ region: tile, tile: true });
  }
  const found: Detection[] = [];
  const ran = await runRegions(model, img, regions.map((r) => r.region), floor, (i, dets) => {
    const { region, tile } = regions[i]!;
    // A face cut by an inner tile seam is seen whole by a neighbouring tile (the overlap
    // guarantees it), so the cut half is dropped rather than merged into a wrong box.
    for (const d of dets) if (!tile || !cutByInnerSeam(d, region, img)) found.push(d);
    return opts.stopWhen?.(found) ?? false;
  });
  const merged: DetectResult = mergeDetections(found);
  if (ran < regions.length) merged.stopped = true;
  return merged;
}

/**
 * Runs the model on each region in order and hands the detections to `each`; when it returns true
 * no further region is started. Returns how many regions were run. One at a time: onnxruntime-node
 * runs a session synchronously on this thread (its async run() is a setImmediate), so keeping two
 * runs "in flight" overlaps nothing; the model's own intra-op threads use the second core.
 */
async function runRegions(model: FaceModel, img: RgbImage, regions: Region[], floor: number, each: (i: number, dets: Detection[]) => boolean): Promise<number> {
  const size = model.inputSize;
  const tensor = new Float32Array(size * size * 3);
  for (let i = 0; i < regions.length; i++) {
    const box = letterboxInto(img, regions[i]!, size, tensor);
    const raw = await model.run(tensor);
    if (each(i, toImage(regions[i]!, box, raw, size, floor))) return i + 1;
  }
  return regions.length;
}

function toImage(region: Region, box: Letterbox, raw: RawOutputs, size: number, floor: number): Detection[] {
  const dets = weightedNms(decodeRaw(raw.scores, raw.boxes, size, floor));
  // Undo the letterbox: normalised square → image pixels.
  return dets
    .map((d) => ({
      x: region.x + d.x * box.side,
      y: region.y + d.y * box.side,
      w: d.w * box.side,
      h: d.h * box.side,
      score: d.score,
      keypoints: d.keypoints.map(([kx, ky]) => [region.x + kx * box.side, region.y + ky * box.side] as [number, number]),
    }))
    .filter((d) => d.x + d.w / 2 < region.x + region.w && d.y + d.h / 2 < region.y + region.h); // centre inside the real pixels, not the padding
}

/** Square tiles of `side` px with ≥ 1/3 overlap, evenly spread over the image. */
export function planTiles(width: number, height: number, side: number, maxTiles: number): Region[] {
  let s = Math.min(side, Math.max(width, height));
  for (;;) {
    const nx = width <= s ? 1 : Math.ceil((width - s) / (s * (2 / 3))) + 1;
    const ny = height <= s ? 1 : Math.ceil((height - s) / (s * (2 / 3))) + 1;
    if (nx * ny <= maxTiles || s >= Math.max(width, height)) {
      const xs = spread(width, s, nx);
      const ys = spread(height, s, ny);
      const tiles: Region[] = [];
      for (const y of ys) for (const x of xs) tiles.push({ x, y, w: Math.min(s, width), h: Math.min(s, height) });
      return tiles;
    }
    s = Math.ceil(s * 1.15); // too many tiles: grow them until the budget fits
  }
}

function spread(total: number, side: number, n: number): number[] {
  if (n <= 1) return [0];
  const stride = (total - side) / (n - 1);
  return Array.from({ length: n }, (_, i) => Math.round(i * stride));
}

function cutByInnerSeam(d: Detection, tile: Region, img: RgbImage): boolean {
  const m = 0.02 * tile.w;
  const leftSeam = tile.x > 0 && d.x < tile.x + m;
  const topSeam = tile.y > 0 && d.y < tile.y + m;
  const rightSeam = tile.x + tile.w < img.width && d.x + d.w > tile.x + tile.w - m;
  const bottomSeam = tile.y + tile.h < img.height && d.y + d.h > tile.y + tile.h - m;
  return leftSeam || topSeam || rightSeam || bottomSeam;
}

/** Blends the same face seen by several passes; drops a box mostly inside a better one. */
export function mergeDetections(dets: Detection[]): Detection[] {
  const blended = weightedNms(dets, 0.3).sort((a, b) => b.score - a.score);
  const kept: Detection[] = [];
  for (const d of blended) if (!kept.some((k) => overlapOfSmaller(k, d) > 0.5)) kept.push(d);
  return kept.sort((a, b) => a.x - b.x);
}
