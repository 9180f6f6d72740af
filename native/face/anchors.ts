// BlazeFace anchor centres in the order the model emits its rows: a grid of 16-px cells with 2
// anchors per cell, then a grid of 32-px cells with 6 anchors per cell, both row-major. At the
// 256×256 input that is 16×16×2 + 8×8×6 = 896 rows; the any-size model (models/manifest.json,
// blazeface-back-any) emits the same layout over whatever height and width it is given.
// Both shipped square models (128 front, 256 back) use this layout; only the pixel scale differs.
const LAYERS: ReadonlyArray<{ stride: number; perCell: number }> = [
  { stride: 16, perCell: 2 },
  { stride: 32, perCell: 6 },
];

/** Rows of a square model (256 back or 128 front: the grid is 16×16 + 8×8 cells either way). */
export const ANCHOR_COUNT = 896;

/** Rows the model emits for an input of height × width pixels (both multiples of 32). */
export function anchorCount(height: number, width: number): number {
  return LAYERS.reduce((n, { stride, perCell }) => n + (height / stride) * (width / stride) * perCell, 0);
}

const cache = new Map<string, Float32Array>();

/**
 * [x0, y0, x1, y1, …]: the centre of each anchor in input pixels of a height × width input
 * (fixed-size anchors, so no width/height is needed).
 */
export function anchorPixels(height: number, width: number): Float32Array {
  const key = `${height}x${width}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const out = new Float32Array(anchorCount(height, width) * 2);
  let i = 0;
  for (const { stride, perCell } of LAYERS) {
    for (let row = 0; row < height / stride; row++) {
      for (let col = 0; col < width / stride; col++) {
        for (let a = 0; a < perCell; a++) {
          out[i++] = (col + 0.5) * stride;
          out[i++] = (row + 0.5) * stride;
        }
      }
    }
  }
  if (cache.size > 32) cache.clear(); // a handful of picture shapes in practice
  cache.set(key, out);
  return out;
}
