// Resamples an RGB image (or a region of it) into a model's NHWC tensor (values −1..1), in plain
// JS: cheaper than a sharp round trip per scan. Downscaling averages n×n sub-samples (a box
// filter), so small faces are not lost to aliasing.
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
  /** 3 (RGB) or 4 (RGBA; alpha ignored). */
  channels: number;
}

export interface Region {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Padding value: black, i.e. −1 after normalisation, as MediaPipe's letterbox does. */
const PAD = -1;

/**
 * `region` of the image at `scale` image pixels per tensor pixel into the top-left corner of a
 * width × height NHWC tensor; the rest is padding. Shrinking averages n×n sub-samples (a box
 * filter), so small faces are not lost to aliasing.
 */
export function resampleInto(img: RgbImage, region: Region, scale: number, width: number, height: number, out: Float32Array): void {
  const n = Math.max(1, Math.min(6, Math.ceil(scale)));
  const sub = scale / n;
  const { data, channels } = img;
  const usedW = Math.min(width, Math.ceil(region.w / scale));
  const usedH = Math.min(height, Math.ceil(region.h / scale));
  const inv = 1 / (n * n * 127.5);
  // Sub-sample offsets are the same for every row/column: compute them once.
  const cols = new Int32Array(usedW * n);
  for (let tx = 0; tx < usedW; tx++) {
    for (let sx = 0; sx < n; sx++) {
      const px = Math.floor(region.x + tx * scale + sub / 2 + sx * sub);
      cols[tx * n + sx] = Math.min(img.width - 1, Math.max(0, px)) * channels;
    }
  }
  const rows = new Int32Array(usedH * n);
  for (let ty = 0; ty < usedH; ty++) {
    for (let sy = 0; sy < n; sy++) {
      const py = Math.floor(region.y + ty * scale + sub / 2 + sy * sub);
      rows[ty * n + sy] = Math.min(img.height - 1, Math.max(0, py)) * img.width * channels;
    }
  }
  out.fill(PAD);
  for (let ty = 0; ty < usedH; ty++) {
    let t = ty * width * 3;
    for (let tx = 0; tx < usedW; tx++, t += 3) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let sy = 0; sy < n; sy++) {
        const row = rows[ty * n + sy]!;
        for (let sx = 0; sx < n; sx++) {
          const o = row + cols[tx * n + sx]!;
          r += data[o]!;
          g += data[o + 1]!;
          b += data[o + 2]!;
        }
      }
      out[t] = r * inv - 1;
      out[t + 1] = g * inv - 1;
      out[t + 2] = b * inv - 1;
    }
  }
}

/**
 * A square of the image (it may reach past the edges) resampled into the model's tensor: box
 * averaging when shrinking (like resampleInto), bilinear when enlarging. Outside the image is
 * mid-grey (0 after normalisation), so a face at the edge is seen as it is, not smeared.
 */
export function cropSquareInto(img: RgbImage, cx: number, cy: number, side: number, size: number, out: Float32Array): void {
  const scale = side / size; // image pixels per tensor pixel
  const n = scale >= 1.5 ? Math.min(4, Math.ceil(scale)) : 1;
  const xs = axisTaps(cx - side / 2, scale, size, n, img.width, img.channels);
  const ys = axisTaps(cy - side / 2, scale, size, n, img.height, img.width * img.channels);
  const { data } = img;
  const inv = 1 / (n * n * 127.5);
  if (n > 1) {
    // Shrinking: every sample sits on a pixel centre, so a box average of single taps.
    for (let ty = 0; ty < size; ty++) {
      for (let tx = 0; tx < size; tx++) {
        let r = 0;
        let g = 0;
        let b = 0;
        for (let sy = ty * n; sy < ty * n + n; sy++) {
          const ya = ys.a[sy]!;
          for (let sx = tx * n; sx < tx * n + n; sx++) {
            const xa = xs.a[sx]!;
            if (ya < 0 || xa < 0) {
              r += 127.5;
              g += 127.5;
              b += 127.5;
            } else {
              const o = ya + xa;
              r += data[o]!;
              g += data[o + 1]!;
              b += data[o + 2]!;
            }
          }
        }
        const t = (ty * size + tx) * 3;
        out[t] = r * inv - 1;
        out[t + 1] = g * inv - 1;
        out[t + 2] = b * inv - 1;
      }
    }
    return;
  }
  // Enlarging (or about 1:1): one bilinear sample per tensor pixel.
  for (let ty = 0; ty < size; ty++) {
    const ya = ys.a[ty]!;
    const yb = ys.b[ty]!;
    const wy = ys.w[ty]!;
    for (let tx = 0; tx < size; tx++) {
      const xa = xs.a[tx]!;
      const xb = xs.b[tx]!;
      const wx = xs.w[tx]!;
      // Offsets of −1 are outside the image: mid-grey.
      const p00 = ya < 0 || xa < 0 ? -1 : ya + xa;
      const p10 = ya < 0 || xb < 0 ? -1 : ya + xb;
      const p01 = yb < 0 || xa < 0 ? -1 : yb + xa;
      const p11 = yb < 0 || xb < 0 ? -1 : yb + xb;
      const t = (ty * size + tx) * 3;
      for (let c = 0; c < 3; c++) {
        const top = px(data, p00, c) * (1 - wx) + px(data, p10, c) * wx;
        const bottom = px(data, p01, c) * (1 - wx) + px(data, p11, c) * wx;
        out[t + c] = (top * (1 - wy) + bottom * wy) / 127.5 - 1;
      }
    }
  }
}

function px(data: Uint8Array, offset: number, c: number): number {
  return offset < 0 ? 127.5 : data[offset + c]!;
}

/**
 * For each of size × n sample positions along one axis: the byte offsets of the two neighbouring
 * pixels (−1 outside the image) and the weight of the second. With n > 1 (shrinking) the samples
 * fall on pixel centres, so the weights are 0 and the result is a box average.
 */
function axisTaps(start: number, scale: number, size: number, n: number, limit: number, stride: number) {
  const count = size * n;
  const a = new Int32Array(count);
  const b = new Int32Array(count);
  const w = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const pos = start + ((i + 0.5) / n) * scale;
    if (n > 1) {
      const p = Math.floor(pos);
      a[i] = b[i] = p >= 0 && p < limit ? p * stride : -1;
      w[i] = 0;
      continue;
    }
    const f = Math.floor(pos - 0.5);
    a[i] = f >= 0 && f < limit ? f * stride : -1;
    b[i] = f + 1 >= 0 && f + 1 < limit ? (f + 1) * stride : -1;
    w[i] = pos - 0.5 - f;
  }
  return { a, b, w };
}
