// A matte that does not come from the segmentation model: portraits taken against a plain studio
// backdrop are colour-keyed (distance to the backdrop's colour, sampled along the top corners and
// the upper sides), the backdrop is the keyed region connected to the picture's border, and holes
// inside the person (a white shirt on a white wall) are person. The result is checked by eye
// (`BENCH_DEBUG=1` writes photo | matte to test-results/bench-cutout/keyed-*.png) and used as the
// known alpha of the bench's composites, so mask_iou no longer compares the model with itself.
import sharp from 'sharp';

/**
 * Portraits in fixtures/people/ on a plain backdrop whose key was checked by eye (sources and
 * licences in fixtures/people/README.md: max_bryan_tiny CC0 via MAX-Facial-Recognizer;
 * portrait_20 "pretty asian girl 1" by Chris Willis, CC BY 2.0; portrait_10 "Senior Portrait in
 * Santa Cruz, CA" by David Dennis, CC BY-SA 2.0). Others were tried and dropped: a shirt or hair
 * too close to the wall's colour keys away with it.
 */
export const KEYED_SOURCES = ['max_bryan_tiny.jpg', 'portrait_20.jpg', 'portrait_10.jpg'] as const;

export interface KeyedMatte {
  rgb: Buffer;
  alpha: Buffer;
  width: number;
  height: number;
}

/** Keys `path` at most `long` px on its long side. t0/t1: colour distance where alpha goes 0 → 1. */
export async function keyedMatte(path: string, long = 640, t0 = 22, t1 = 55): Promise<KeyedMatte> {
  const { data: rgb, info } = await sharp(path).rotate().resize(long, long, { fit: 'inside' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const W = info.width;
  const H = info.height;
  // Backdrop colours: small patches at the top corners and down the upper sides.
  const patches: [number, number, number][] = [];
  const ps = Math.max(4, Math.round(Math.min(W, H) * 0.06));
  for (const [fx, fy] of [
    [0, 0],
    [1, 0],
    [0, 0.25],
    [1, 0.25],
    [0, 0.5],
    [1, 0.5],
    [0.5, 0],
  ] as const) {
    const x0 = Math.round(fx * (W - ps));
    const y0 = Math.round(fy * (H - ps));
    const m = [0, 0, 0];
    for (let y = y0; y < y0 + ps; y++) for (let x = x0; x < x0 + ps; x++) for (let c = 0; c < 3; c++) m[c]! += rgb[(y * W + x) * 3 + c]!;
    patches.push(m.map((v) => v / (ps * ps)) as [number, number, number]);
  }
  const a = new Float32Array(W * H);
  for (let i = 0; i < W * H; i++) {
    let d = Infinity;
    for (const p of patches) d = Math.min(d, Math.hypot(rgb[i * 3]! - p[0], rgb[i * 3 + 1]! - p[1], rgb[i * 3 + 2]! - p[2]));
    a[i] = Math.min(1, Math.max(0, (d - t0) / (t1 - t0)));
  }
  // Backdrop = keyed pixels reachable from the top, left and right borders (the person may
  // touch the bottom edge, where the backdrop is usually hidden anyway).
  const bg = new Uint8Array(W * H);
  const stack: number[] = [];
  const seed = (i: number) => {
    if (!bg[i] && a[i]! < 0.5) {
      bg[i] = 1;
      stack.push(i);
    }
  };
  for (let x = 0; x < W; x++) seed(x);
  for (let y = 0; y < H; y++) {
    seed(y * W);
    seed(y * W + W - 1);
  }
  while (stack.length) {
    const i = stack.pop()!;
    const x = i % W;
    if (x > 0) seed(i - 1);
    if (x < W - 1) seed(i + 1);
    if (i >= W) seed(i - W);
    if (i + W < W * H) seed(i + W);
  }
  // The person is the largest region that is not backdrop (a logo or a lamp on the wall is not).
  const label = new Int32Array(W * H).fill(-1);
  const sizes: number[] = [];
  for (let s = 0; s < W * H; s++) {
    if (bg[s] || label[s] !== -1) continue;
    const id = sizes.length;
    let n = 0;
    label[s] = id;
    stack.push(s);
    while (stack.length) {
      const i = stack.pop()!;
      n++;
      const x = i % W;
      for (const j of [x > 0 ? i - 1 : -1, x < W - 1 ? i + 1 : -1, i >= W ? i - W : -1, i + W < W * H ? i + W : -1]) {
        if (j >= 0 && !bg[j] && label[j] === -1) {
          label[j] = id;
          stack.push(j);
        }
      }
    }
    sizes.push(n);
  }
  const person = sizes.indexOf(Math.max(...sizes));
  // Inside the person opaque (skin or a shirt close to the wall's colour is still the person);
  // on the backdrop side of the edge the keyed softness.
  const alpha = Buffer.alloc(W * H);
  for (let i = 0; i < W * H; i++) alpha[i] = label[i] === person ? 255 : bg[i] ? Math.round(a[i]! * 255) : 0;
  return { rgb, alpha, width: W, height: H };
}
