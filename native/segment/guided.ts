// Edge-aware refinement of a coarse person mask at print resolution: the colour guided filter
// (He, Sun & Tang, "Guided Image Filtering", 2013) in its fast form (He & Sun 2015): the linear
// coefficients are solved on a subsampled copy and applied to every full-resolution pixel, so the
// mask's edge follows the photo's own edges (hair, shoulders) instead of the 256-px model grid,
// at a cost that grows with the subsampled size, not the print size.

/** Mean over a (2r+1)² window, clipped at the borders (divided by the pixels actually inside). */
export function boxMean(src: Float32Array, w: number, h: number, r: number): Float32Array {
  const tmp = new Float32Array(w * h);
  const out = new Float32Array(w * h);
  // Horizontal running sums.
  for (let y = 0; y < h; y++) {
    const row = y * w;
    let sum = 0;
    for (let x = 0; x <= Math.min(r, w - 1); x++) sum += src[row + x]!;
    for (let x = 0; x < w; x++) {
      if (x > 0) {
        if (x + r < w) sum += src[row + x + r]!;
        if (x - r - 1 >= 0) sum -= src[row + x - r - 1]!;
      }
      tmp[row + x] = sum / (Math.min(w - 1, x + r) - Math.max(0, x - r) + 1);
    }
  }
  // Vertical: one running sum per column, advanced a whole row at a time (memory order).
  const col = new Float64Array(w);
  for (let y = 0; y <= Math.min(r, h - 1); y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) col[x]! += tmp[row + x]!;
  }
  for (let y = 0; y < h; y++) {
    if (y > 0) {
      if (y + r < h) {
        const add = (y + r) * w;
        for (let x = 0; x < w; x++) col[x]! += tmp[add + x]!;
      }
      if (y - r - 1 >= 0) {
        const sub = (y - r - 1) * w;
        for (let x = 0; x < w; x++) col[x]! -= tmp[sub + x]!;
      }
    }
    const inv = 1 / (Math.min(h - 1, y + r) - Math.max(0, y - r) + 1);
    const row = y * w;
    for (let x = 0; x < w; x++) out[row + x] = col[x]! * inv;
  }
  return out;
}

/** Bilinear resample of a one-channel float image (pixel centres aligned). */
export function resizeBilinear(src: Float32Array, sw: number, sh: number, dw: number, dh: number): Float32Array {
  const out = new Float32Array(dw * dh);
  const fx = sw / dw;
  const fy = sh / dh;
  for (let y = 0; y < dh; y++) {
    const syf = Math.min(sh - 1, Math.max(0, (y + 0.5) * fy - 0.5));
    const y0 = Math.floor(syf);
    const y1 = Math.min(sh - 1, y0 + 1);
    const ty = syf - y0;
    for (let x = 0; x < dw; x++) {
      const sxf = Math.min(sw - 1, Math.max(0, (x + 0.5) * fx - 0.5));
      const x0 = Math.floor(sxf);
      const x1 = Math.min(sw - 1, x0 + 1);
      const tx = sxf - x0;
      const a = src[y0 * sw + x0]! * (1 - tx) + src[y0 * sw + x1]! * tx;
      const b = src[y1 * sw + x0]! * (1 - tx) + src[y1 * sw + x1]! * tx;
      out[y * dw + x] = a * (1 - ty) + b * ty;
    }
  }
  return out;
}

/** Box-averaged downscale of interleaved RGB (8-bit) into three float planes 0..1. */
function rgbPlanes(rgb: Uint8Array, w: number, h: number, dw: number, dh: number): [Float32Array, Float32Array, Float32Array] {
  const planes: [Float32Array, Float32Array, Float32Array] = [new Float32Array(dw * dh), new Float32Array(dw * dh), new Float32Array(dw * dh)];
  const counts = new Float32Array(dw * dh);
  for (let y = 0; y < h; y++) {
    const dy = Math.min(dh - 1, Math.floor((y * dh) / h));
    for (let x = 0; x < w; x++) {
      const d = dy * dw + Math.min(dw - 1, Math.floor((x * dw) / w));
      const i = (y * w + x) * 3;
      planes[0][d]! += rgb[i]!;
      planes[1][d]! += rgb[i + 1]!;
      planes[2][d]! += rgb[i + 2]!;
      counts[d]! += 1;
    }
  }
  for (let d = 0; d < dw * dh; d++) {
    const k = 1 / (255 * (counts[d] || 1));
    planes[0][d]! *= k;
    planes[1][d]! *= k;
    planes[2][d]! *= k;
  }
  return planes;
}

export interface GuidedOptions {
  /** Window radius in full-resolution pixels. */
  radius: number;
  /** Regularisation: larger = smoother mask, smaller = follows weaker edges. */
  eps: number;
  /** Subsampling factor for solving the coefficients (≥ 1). */
  subsample: number;
}

/**
 * Refines `mask` (mw × mh, values 0..1, any resolution) to the w × h guide image `rgb` (interleaved
 * 8-bit RGB). Returns the refined mask at w × h, values 0..1 (not clamped).
 */
export function guidedRefine(rgb: Uint8Array, w: number, h: number, mask: Float32Array, mw: number, mh: number, o: GuidedOptions): Float32Array {
  const s = Math.max(1, o.subsample);
  const lw = Math.max(1, Math.round(w / s));
  const lh = Math.max(1, Math.round(h / s));
  const r = Math.max(1, Math.round(o.radius / s));
  const [ir, ig, ib] = rgbPlanes(rgb, w, h, lw, lh);
  const p = resizeBilinear(mask, mw, mh, lw, lh);
  const n = lw * lh;
  const mul = (a: Float32Array, b: Float32Array): Float32Array => {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = a[i]! * b[i]!;
    return out;
  };
  const box = (a: Float32Array) => boxMean(a, lw, lh, r);
  const mr = box(ir);
  const mg = box(ig);
  const mb = box(ib);
  const mp = box(p);
  const mrp = box(mul(ir, p));
  const mgp = box(mul(ig, p));
  const mbp = box(mul(ib, p));
  const vrr = box(mul(ir, ir));
  const vrg = box(mul(ir, ig));
  const vrb = box(mul(ir, ib));
  const vgg = box(mul(ig, ig));
  const vgb = box(mul(ig, ib));
  const vbb = box(mul(ib, ib));
  const ar = new Float32Array(n);
  const ag = new Float32Array(n);
  const ab = new Float32Array(n);
  const bb = new Float32Array(n);
  const eps = o.eps;
  for (let i = 0; i < n; i++) {
    const mR = mr[i]!;
    const mG = mg[i]!;
    const mB = mb[i]!;
    const mP = mp[i]!;
    // Covariance of (I, p) and the 3×3 covariance of I, regularised.
    const cr = mrp[i]! - mR * mP;
    const cg = mgp[i]! - mG * mP;
    const cb = mbp[i]! - mB * mP;
    const a11 = vrr[i]! - mR * mR + eps;
    const a12 = vrg[i]! - mR * mG;
    const a13 = vrb[i]! - mR * mB;
    const a22 = vgg[i]! - mG * mG + eps;
    const a23 = vgb[i]! - mG * mB;
    const a33 = vbb[i]! - mB * mB + eps;
    // Inverse of the symmetric 3×3 by cofactors.
    const c11 = a22 * a33 - a23 * a23;
    const c12 = a13 * a23 - a12 * a33;
    const c13 = a12 * a23 - a13 * a22;
    const c22 = a11 * a33 - a13 * a13;
    const c23 = a12 * a13 - a11 * a23;
    const c33 = a11 * a22 - a12 * a12;
    const det = a11 * c11 + a12 * c12 + a13 * c13;
    const inv = det !== 0 ? 1 / det : 0;
    const xr = (c11 * cr + c12 * cg + c13 * cb) * inv;
    const xg = (c12 * cr + c22 * cg + c23 * cb) * inv;
    const xb = (c13 * cr + c23 * cg + c33 * cb) * inv;
    ar[i] = xr;
    ag[i] = xg;
    ab[i] = xb;
    bb[i] = mP - xr * mR - xg * mG - xb * mB;
  }
  const far = resizeBilinear(box(ar), lw, lh, w, h);
  const fag = resizeBilinear(box(ag), lw, lh, w, h);
  const fab = resizeBilinear(box(ab), lw, lh, w, h);
  const fbb = resizeBilinear(box(bb), lw, lh, w, h);
  const q = new Float32Array(w * h);
  const k = 1 / 255;
  for (let i = 0, j = 0; i < w * h; i++, j += 3) {
    q[i] = far[i]! * rgb[j]! * k + fag[i]! * rgb[j + 1]! * k + fab[i]! * rgb[j + 2]! * k + fbb[i]!;
  }
  return q;
}
