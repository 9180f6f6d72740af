// Where to crop a photo around its people, shared by the cut-out (native/segment/cutout.ts) and the
// local generator's soft-vignette fallback (generator/local/people.ts), which need different margins.
import type { FaceBoxData } from '../protocol';
import type { CutMode } from './segment';

export interface Region {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Margins in face sizes: to each side of a face's centre, and above its top. */
export interface BodyMargins {
  side: Record<CutMode, number>;
  above: Record<CutMode, number>;
}

/** Around every face, wide enough for arms and shoulders, down to the chest (upper body) or the frame's bottom (group), clamped to the image. */
export function bodyRegion(faces: readonly FaceBoxData[], imgW: number, imgH: number, mode: CutMode, margins: BodyMargins): Region {
  let l = Infinity;
  let t = Infinity;
  let r = -Infinity;
  let b = -Infinity;
  for (const f of faces) {
    const cx = f.x + f.w / 2;
    const half = margins.side[mode] * f.w;
    l = Math.min(l, cx - half);
    r = Math.max(r, cx + half);
    t = Math.min(t, f.y - margins.above[mode] * f.h);
    b = Math.max(b, mode === 'group' ? imgH : f.y + 3.7 * f.h);
  }
  // Boxes partly outside the picture (bad input) still give a valid, non-empty crop.
  const left = Math.min(imgW - 1, Math.max(0, Math.floor(l)));
  const top = Math.min(imgH - 1, Math.max(0, Math.floor(t)));
  const right = Math.min(imgW, Math.ceil(r));
  const bottom = Math.min(imgH, Math.ceil(b));
  return { left, top, width: Math.max(1, right - left), height: Math.max(1, bottom - top) };
}
