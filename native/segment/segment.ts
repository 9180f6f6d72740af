// Who is cut out: only the people the face checks found. Each face gets its own square crop
// (head and shoulders, and for a full group photo further squares down to the photo's bottom),
// so a person ~100 px tall in a 12 MP photo is still ~150 px in the 256-px model instead of 10;
// the crops' probabilities are merged into one coarse mask, blobs that touch no face are dropped
// (a dog, a poster, a stranger behind), and the mask is refined at full resolution with the
// colour guided filter (guided.ts) so hair and shoulders follow the photo, not the model grid.
import type { FaceBoxData } from '../protocol';
import { guidedRefine, resizeBilinear } from './guided';
import type { SegmentModel } from './model';

export type CutMode = 'upper-body' | 'group';

export interface Square {
  x: number;
  y: number;
  side: number;
  /** Only rows from here down count (a body square leaves the head to the head square). */
  fromY?: number;
}

/**
 * The model's squares for one face: head and shoulders (hair detail at ~60 model px per face);
 * for a group photo also one taller square from the head to the photo's bottom edge, so the body
 * is seen whole (squares stacked below a head see legs without a person and cut them off).
 */
export function cropsFor(f: FaceBoxData, imgH: number, mode: CutMode): Square[] {
  const side = Math.max(8, 4.2 * Math.max(f.w, f.h));
  const cx = f.x + f.w / 2;
  const top = f.y - 0.95 * f.h;
  const out: Square[] = [{ x: cx - side / 2, y: top, side }];
  if (mode === 'group') {
    const tall = Math.min(imgH - top, 14 * f.h);
    if (tall > side * 1.15) out.push({ x: cx - tall / 2, y: top - 0.05 * tall, side: tall * 1.05, fromY: f.y + 1.3 * f.h });
  }
  return out;
}

/** Area-averaged sample of an RGB square (edge pixels repeated outside the image) into NHWC 0..1. */
function sampleSquare(rgb: Uint8Array, w: number, h: number, sq: Square, size: number, out: Float32Array): void {
  const step = sq.side / size;
  const n = Math.max(1, Math.min(4, Math.ceil(step)));
  const inv = 1 / (n * n * 255);
  for (let ty = 0; ty < size; ty++) {
    for (let tx = 0; tx < size; tx++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let sy = 0; sy < n; sy++) {
        const y = Math.min(h - 1, Math.max(0, Math.floor(sq.y + (ty + (sy + 0.5) / n) * step)));
        for (let sx = 0; sx < n; sx++) {
          const x = Math.min(w - 1, Math.max(0, Math.floor(sq.x + (tx + (sx + 0.5) / n) * step)));
          const i = (y * w + x) * 3;
          r += rgb[i]!;
          g += rgb[i + 1]!;
          b += rgb[i + 2]!;
        }
      }
      const o = (ty * size + tx) * 3;
      out[o] = r * inv;
      out[o + 1] = g * inv;
      out[o + 2] = b * inv;
    }
  }
}

/** Keeps the blobs (prob ≥ 0.5, 4-connected) that reach into a face box; everything else → 0. */
export function keepFaceBlobs(mask: Float32Array, w: number, h: number, faces: readonly { x: number; y: number; w: number; h: number }[]): void {
  const label = new Int32Array(w * h).fill(-1);
  const keep: boolean[] = [];
  const stack: number[] = [];
  const inFace = new Uint8Array(w * h);
  for (const f of faces) {
    const x0 = Math.max(0, Math.floor(f.x + f.w * 0.25));
    const x1 = Math.min(w - 1, Math.ceil(f.x + f.w * 0.75));
    const y0 = Math.max(0, Math.floor(f.y + f.h * 0.25));
    const y1 = Math.min(h - 1, Math.ceil(f.y + f.h * 0.75));
    for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) inFace[y * w + x] = 1;
  }
  let next = 0;
  for (let start = 0; start < w * h; start++) {
    if (label[start] !== -1 || mask[start]! < 0.5) continue;
    const id = next++;
    let touches = false;
    label[start] = id;
    stack.push(start);
    while (stack.length) {
      const p = stack.pop()!;
      if (inFace[p]) touches = true;
      const x = p % w;
      const visit = (q: number): void => {
        if (label[q] !== -1 || mask[q]! < 0.5) return;
        label[q] = id;
        stack.push(q);
      };
      if (x > 0) visit(p - 1);
      if (x < w - 1) visit(p + 1);
      if (p >= w) visit(p - w);
      if (p + w < w * h) visit(p + w);
    }
    keep.push(touches);
  }
  // A pixel below 0.5 stays if a kept blob is within 2 px (soft edges of kept people), else → 0.
  const near = new Uint8Array(w * h);
  for (let p = 0; p < w * h; p++) {
    const l = label[p]!;
    if (l < 0 || !keep[l]) continue;
    const x = p % w;
    const y = (p - x) / w;
    for (let dy = -2; dy <= 2; dy++) {
      const yy = y + dy;
      if (yy < 0 || yy >= h) continue;
      for (let dx = -2; dx <= 2; dx++) {
        const xx = x + dx;
        if (xx >= 0 && xx < w) near[yy * w + xx] = 1;
      }
    }
  }
  for (let p = 0; p < w * h; p++) if (!near[p]) mask[p] = 0;
}

export interface SegmentOptions {
  mode: CutMode;
  /** Long side of the coarse mask the crops are merged into (before the guided filter). */
  coarseLong?: number;
  /** false: the coarse mask bilinearly upsampled, no guided filter (the benchmark's baseline). */
  refine?: boolean;
}

export interface SegmentResult {
  /** Refined alpha, w × h, 8-bit. */
  alpha: Uint8Array;
  /** How many model passes ran (one per square). */
  passes: number;
  /** Milliseconds in the model passes (sampling included) and in the refinement. */
  modelMs: number;
  refineMs: number;
}

/**
 * Segments the people whose faces are given (in `rgb` pixels) out of an interleaved RGB image.
 * Pixels are the final resolution: the refinement runs at w × h.
 */
export async function segmentPeople(model: SegmentModel, rgb: Uint8Array, w: number, h: number, faces: readonly FaceBoxData[], opts: SegmentOptions): Promise<SegmentResult> {
  const long = Math.max(w, h);
  const cs = Math.min(1, (opts.coarseLong ?? 640) / long); // coarse px per image px
  const cw = Math.max(1, Math.round(w * cs));
  const ch = Math.max(1, Math.round(h * cs));
  const coarse = new Float32Array(cw * ch);
  const size = model.inputH;
  const input = new Float32Array(size * size * 3);
  let passes = 0;
  const t0 = performance.now();
  for (const f of faces) {
    for (const sq of cropsFor(f, h, opts.mode)) {
      sampleSquare(rgb, w, h, sq, size, input);
      const prob = await model.run(input);
      passes++;
      // Paste the square's probabilities into the coarse grid (max: overlapping crops agree on people).
      const x0 = Math.max(0, Math.floor(sq.x * cs));
      const x1 = Math.min(cw - 1, Math.ceil((sq.x + sq.side) * cs));
      const y0 = Math.max(0, Math.floor(Math.max(sq.y, sq.fromY ?? sq.y) * cs));
      const y1 = Math.min(ch - 1, Math.ceil((sq.y + sq.side) * cs));
      const k = size / (sq.side * cs); // model px per coarse px
      for (let y = y0; y <= y1; y++) {
        const my = (y + 0.5) * k - sq.y * cs * k - 0.5;
        if (my < -0.5 || my > size - 0.5) continue;
        const py0 = Math.max(0, Math.min(size - 1, Math.floor(my)));
        const py1 = Math.min(size - 1, py0 + 1);
        const ty = Math.max(0, Math.min(1, my - py0));
        for (let x = x0; x <= x1; x++) {
          const mx = (x + 0.5) * k - sq.x * cs * k - 0.5;
          if (mx < -0.5 || mx > size - 0.5) continue;
          const px0 = Math.max(0, Math.min(size - 1, Math.floor(mx)));
          const px1 = Math.min(size - 1, px0 + 1);
          const tx = Math.max(0, Math.min(1, mx - px0));
          const v =
            (prob[py0 * size + px0]! * (1 - tx) + prob[py0 * size + px1]! * tx) * (1 - ty) +
            (prob[py1 * size + px0]! * (1 - tx) + prob[py1 * size + px1]! * tx) * ty;
          const c = y * cw + x;
          if (v > coarse[c]!) coarse[c] = v;
        }
      }
    }
  }
  // Faces are people by definition (the checks decided): a dark or masked face never gets a hole.
  const cfaces = faces.map((f) => ({ x: f.x * cs, y: f.y * cs, w: f.w * cs, h: f.h * cs }));
  for (const f of cfaces) {
    const cx = f.x + f.w / 2;
    const cy = f.y + f.h / 2;
    const rx = f.w * 0.42;
    const ry = f.h * 0.5;
    for (let y = Math.max(0, Math.floor(cy - ry)); y <= Math.min(ch - 1, Math.ceil(cy + ry)); y++) {
      for (let x = Math.max(0, Math.floor(cx - rx)); x <= Math.min(cw - 1, Math.ceil(cx + rx)); x++) {
        const d = ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2;
        if (d <= 1) coarse[y * cw + x] = Math.max(coarse[y * cw + x]!, 0.95);
      }
    }
  }
  keepFaceBlobs(coarse, cw, ch, cfaces);
  const t1 = performance.now();

  const medianFace = [...faces].map((f) => f.w).sort((a, b) => a - b)[Math.floor(faces.length / 2)] ?? long / 8;
  const refined =
    opts.refine === false
      ? resizeBilinear(coarse, cw, ch, w, h)
      : guidedRefine(rgb, w, h, coarse, cw, ch, {
          radius: Math.max(4, medianFace * 0.1),
          eps: 1e-3,
          subsample: Math.max(2, Math.min(6, Math.round(long / 450))),
        });
  // A gentle contrast curve: the guided filter leaves a faint veil (alpha 0.05–0.15) of background
  // around people; on a new scene that veil is the "halo". Clip it, keep the soft transition.
  const alpha = new Uint8Array(w * h);
  const lo = 0.12;
  const hi = 0.88;
  for (let i = 0; i < w * h; i++) {
    const t = (refined[i]! - lo) / (hi - lo);
    alpha[i] = t <= 0 ? 0 : t >= 1 ? 255 : Math.round(t * t * (3 - 2 * t) * 255);
  }
  return { alpha, passes, modelMs: t1 - t0, refineMs: performance.now() - t1 };
}
