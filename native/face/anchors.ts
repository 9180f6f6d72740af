// BlazeFace anchor centres (normalised 0..1) in the order the model emits its 896 rows:
// a 16×16 grid with 2 anchors per cell, then an 8×8 grid with 6 anchors per cell, row-major.
// Both shipped models (128 front, 256 back) use this layout; only the pixel scale differs.
const LAYERS: ReadonlyArray<{ cells: number; perCell: number }> = [
  { cells: 16, perCell: 2 },
  { cells: 8, perCell: 6 },
];

export const ANCHOR_COUNT = 896;

let cached: Float32Array | null = null;

/** [x0, y0, x1, y1, …]: the centre of each anchor; fixed size anchors, so no width/height is needed. */
export function anchorCentres(): Float32Array {
  if (cached) return cached;
  const out = new Float32Array(ANCHOR_COUNT * 2);
  let i = 0;
  for (const { cells, perCell } of LAYERS) {
    for (let row = 0; row < cells; row++) {
      for (let col = 0; col < cells; col++) {
        for (let a = 0; a < perCell; a++) {
          out[i++] = (col + 0.5) / cells;
          out[i++] = (row + 0.5) / cells;
        }
      }
    }
  }
  cached = out;
  return out;
}
