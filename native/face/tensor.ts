// Letterbox a region of an RGB image into the model's square NHWC tensor (values −1..1), in plain
// JS: cheaper than a sharp round trip per tile. Downscaling averages n×n sub-samples (a box
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

/** Maps model-input coordinates (0..1 of the square) back to image pixels. */
export interface Letterbox {
  region: Region;
  /** Image pixels per model-input unit (the square side in image pixels). */
  side: number;
}

/** Padding value: black, i.e. −1 after normalisation, as MediaPipe's letterbox does. */
const PAD = -1;

export function letterboxInto(img: RgbImage, region: Region, size: number, out: Float32Array): Letterbox {
  const side = Math.max(region.w, region.h);
  const scale = side / size; // image pixels per tensor pixel
  const n = Math.max(1, Math.min(6, Math.ceil(scale)));
  const step = scale / n;
  const { data, width, height, channels } = img;
  const usedW = Math.min(size, Math.ceil(region.w / scale));
  const usedH = Math.min(size, Math.ceil(region.h / scale));
  const inv = 1 / (n * n * 127.5);
  // Sub-sample offsets are the same for every row/column: compute them once.
  const cols = new Int32Array(usedW * n);
  for (let tx = 0; tx < usedW; tx++) {
    for (let sx = 0; sx < n; sx++) {
      const px = Math.floor(region.x + tx * scale + step / 2 + sx * step);
      cols[tx * n + sx] = Math.min(width - 1, Math.max(0, px)) * channels;
    }
  }
  const rows = new Int32Array(usedH * n);
  for (let ty = 0; ty < usedH; ty++) {
    for (let sy = 0; sy < n; sy++) {
      const py = Math.floor(region.y + ty * scale + step / 2 + sy * step);
      rows[ty * n + sy] = Math.min(height - 1, Math.max(0, py)) * width * channels;
    }
  }
  out.fill(PAD);
  for (let ty = 0; ty < usedH; ty++) {
    let t = ty * size * 3;
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
  return { region, side };
}
