// Measurements on one face that the rules judge: sharpness, brightness, head turn, and whether
// the head fits in the frame. Pure functions on pixels and keypoints, so each is unit-testable.
import type { Detection } from './decode';
import type { RgbImage } from './tensor';

/** Faces are measured at this fixed size so sharpness does not depend on how big the face is. */
export const CROP = 48;

/** Box-averaged grey (BT.601 luma) crop of `box` from `img`, CROP×CROP. */
export function greyCrop(img: RgbImage, box: { x: number; y: number; w: number; h: number }): Float32Array {
  const out = new Float32Array(CROP * CROP);
  const sx = box.w / CROP;
  const sy = box.h / CROP;
  const n = Math.max(1, Math.min(8, Math.round(Math.max(sx, sy))));
  const { data, width, height, channels } = img;
  for (let y = 0; y < CROP; y++) {
    for (let x = 0; x < CROP; x++) {
      let acc = 0;
      for (let j = 0; j < n; j++) {
        const py = Math.min(height - 1, Math.max(0, Math.floor(box.y + (y + (j + 0.5) / n) * sy)));
        for (let i = 0; i < n; i++) {
          const px = Math.min(width - 1, Math.max(0, Math.floor(box.x + (x + (i + 0.5) / n) * sx)));
          const o = (py * width + px) * channels;
          acc += 0.299 * data[o]! + 0.587 * data[o + 1]! + 0.114 * data[o + 2]!;
        }
      }
      out[y * CROP + x] = acc / (n * n);
    }
  }
  return out;
}

export function meanOf(a: Float32Array): number {
  let s = 0;
  for (const v of a) s += v;
  return a.length ? s / a.length : 0;
}

/**
 * Sharpness: variance of the 4-neighbour Laplacian over the crop, divided by the crop's own
 * variance, ×100. Dividing by contrast keeps a dim but sharp face from looking blurred (darkness
 * has its own rule). Sharp faces score well above 10; a motion- or focus-blurred face well below.
 */
export function sharpness(grey: Float32Array, size = CROP): number {
  let sum = 0;
  let sumSq = 0;
  let n = 0;
  for (let y = 1; y < size - 1; y++) {
    for (let x = 1; x < size - 1; x++) {
      const i = y * size + x;
      const lap = grey[i - 1]! + grey[i + 1]! + grey[i - size]! + grey[i + size]! - 4 * grey[i]!;
      sum += lap;
      sumSq += lap * lap;
      n++;
    }
  }
  const lapVar = sumSq / n - (sum / n) ** 2;
  const mean = meanOf(grey);
  let v = 0;
  for (const g of grey) v += (g - mean) ** 2;
  const contrast = v / grey.length;
  return contrast < 1 ? 0 : (100 * lapVar) / contrast;
}

/**
 * Head turn from the keypoints: how far the nose sits from the midpoint of the eyes, in units of
 * the eye distance, and how unequal the nose–ear distances are. 0 = facing the camera; a
 * profile is near 1.
 */
export function turnAmount(d: Detection): number {
  const [re, le, nose, , rear, lear] = d.keypoints;
  if (!re || !le || !nose || !rear || !lear) return 1;
  const eyeDist = Math.hypot(le[0] - re[0], le[1] - re[1]);
  if (eyeDist < 1e-6) return 1;
  // Project on the eye line, so a tilted (rolled) head is not read as turned.
  const ux = (le[0] - re[0]) / eyeDist;
  const uy = (le[1] - re[1]) / eyeDist;
  const midX = (re[0] + le[0]) / 2;
  const midY = (re[1] + le[1]) / 2;
  const noseOffset = Math.abs((nose[0] - midX) * ux + (nose[1] - midY) * uy) / eyeDist;
  const dr = Math.hypot(nose[0] - rear[0], nose[1] - rear[1]);
  const dl = Math.hypot(nose[0] - lear[0], nose[1] - lear[1]);
  const earAsym = dr + dl > 0 ? Math.abs(dr - dl) / (dr + dl) : 1;
  return Math.max(noseOffset, earAsym);
}

/**
 * Whether the keypoints are laid out like a human face: nose and mouth below the eye line, mouth
 * below the nose, eyes apart by a plausible share of the box. Regressed keypoints on non-faces
 * (textures, animal muzzles) often break this.
 */
export function plausibleFace(d: Detection): boolean {
  const [re, le, nose, mouth] = d.keypoints;
  if (!re || !le || !nose || !mouth) return false;
  const eyeDist = Math.hypot(le[0] - re[0], le[1] - re[1]);
  if (eyeDist < 0.2 * d.w || eyeDist > 0.75 * d.w) return false;
  const ux = (le[0] - re[0]) / eyeDist;
  const uy = (le[1] - re[1]) / eyeDist;
  // "Down" in the face's own frame: perpendicular to the eye line.
  const below = (p: [number, number]): number => ((p[0] - (re[0] + le[0]) / 2) * -uy + (p[1] - (re[1] + le[1]) / 2) * ux) / eyeDist;
  const noseDown = below(nose);
  const mouthDown = below(mouth);
  return noseDown > 0.1 && mouthDown > noseDown + 0.1 && mouthDown < 2;
}

/**
 * Whether the head runs off the image. Top and bottom: the face box grown to take in hair and chin
 * (BlazeFace's box spans brows to chin) must fit. Sides: the face itself must — both ear keypoints
 * inside, and the box past an edge by no more than a tenth of its width. A close-up portrait's box
 * reaches past the cheeks: four tight real portraits of the labelled set (faces 480–526 px in a
 * 640-px-wide frame, both ears inside) were refused when the box plus a margin had to fit.
 */
export function headCutOff(d: Detection, width: number, height: number): boolean {
  const over = 0.1 * d.w;
  const top = d.y - 0.2 * d.h;
  const bottom = d.y + 1.0 * d.h;
  const ears = [d.keypoints[4], d.keypoints[5]];
  const earOut = ears.some((e) => !e || e[0] < 0 || e[0] > width);
  return d.x < -over || d.x + d.w > width + over || earOut || top < 0 || bottom > height;
}

/** Below this chroma (YCbCr, 0–255 scale) a face is grey (a black-and-white photo, near-black): colour is not judged. */
export const TINT_MIN_CHROMA = 6;

/**
 * Mean colour of the middle of the face (cheeks, nose, mouth: the box's central 60 % across, from
 * a quarter to 85 % down, away from hair and background) as a YCbCr chroma direction: `off` is how
 * many degrees the hue sits from the red (+Cr) axis, `chroma` how coloured it is. Real skin
 * reflects more red than blue under any ordinary light (blood and melanin absorb blue): on the
 * labelled set every real face sat 0–26° off (warm, cool, dim, glasses, three-quarter views), a
 * purple-printed banknote portrait 102° off. Sampled on a 16×16 grid: the mean needs no more.
 */
export function faceTint(img: RgbImage, box: { x: number; y: number; w: number; h: number }): { off: number; chroma: number } {
  const { data, width, height, channels } = img;
  const N = 16;
  let r = 0;
  let g = 0;
  let b = 0;
  for (let j = 0; j < N; j++) {
    const py = Math.min(height - 1, Math.max(0, Math.floor(box.y + (0.25 + (0.6 * (j + 0.5)) / N) * box.h)));
    for (let i = 0; i < N; i++) {
      const px = Math.min(width - 1, Math.max(0, Math.floor(box.x + (0.2 + (0.6 * (i + 0.5)) / N) * box.w)));
      const o = (py * width + px) * channels;
      r += data[o]!;
      g += data[o + 1]!;
      b += data[o + 2]!;
    }
  }
  const n = N * N;
  r /= n;
  g /= n;
  b /= n;
  const cb = -0.1687 * r - 0.3313 * g + 0.5 * b;
  const cr = 0.5 * r - 0.4187 * g - 0.0813 * b;
  const chroma = Math.hypot(cb, cr);
  // Angle between (cb, cr) and (0, 1): 0° pure red-ward, 90° neutral-blue/green-ward, 180° cyan.
  const off = chroma > 0 ? (Math.acos(Math.max(-1, Math.min(1, cr / chroma))) * 180) / Math.PI : 0;
  return { off, chroma };
}

/** Whether a face's colour could be skin: grey faces pass (colour unknown), coloured ones must lean red. */
export function skinColoured(tint: { off: number; chroma: number }, maxOff: number): boolean {
  return tint.chroma < TINT_MIN_CHROMA || tint.off <= maxOff;
}

/** Eye aspect ratios of a face (eyes.ts): lid-to-lid height over corner-to-corner width, ~0 when shut. */
export interface EyeOpenness {
  /** The subject's right eye (left in the picture). */
  right: number;
  left: number;
}

/** Both eyes shut: even the more open one is below `below` (a wink or a squint is not "eyes closed"). */
export const eyesClosed = (e: EyeOpenness, below: number): boolean => Math.max(e.left, e.right) < below;
