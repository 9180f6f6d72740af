// One photo → its people as a cut-out at print resolution: decode (EXIF-oriented, limits
// enforced, scaled so the largest face is at most `maxFacePx` — plenty for a 300 dpi print),
// crop to the people, segment them (segment.ts) and hand back RGB + alpha of the crop.
import { DEFAULT_LIMITS, decodeFailure, open, probeImage, type DecodeLimits } from '../image/decode';
import type { CutoutArgs, CutoutData } from '../protocol';
import type { SegmentModel } from './model';
import { bodyRegion, type BodyMargins } from './region';
import { segmentPeople } from './segment';

// The working resolution is the output's, not the camera's: no local layout draws a face taller
// than 250 px or a group wider than 1620 px on the 1800×1200 print (layouts.ts), so a larger cut-out
// is segmented and refined only to be scaled down again.
export const DEFAULT_MAX_FACE_PX = 250;
export const DEFAULT_MAX_LONG_PX = 1620;

/** The cut-out keeps arms and hair: wider and higher than the vignette's crop. */
const CUTOUT_MARGINS: BodyMargins = { side: { group: 2.6, 'upper-body': 2.3 }, above: { group: 0.95, 'upper-body': 0.95 } };

/** Upper-body cut-outs end at the chest: fade the last fifth out instead of a straight edge. */
function fadeBottom(alpha: Uint8Array, w: number, h: number, from = 0.8): void {
  const y0 = Math.floor(h * from);
  for (let y = y0; y < h; y++) {
    const k = 1 - (y - y0) / Math.max(1, h - y0);
    const row = y * w;
    for (let x = 0; x < w; x++) alpha[row + x] = Math.round(alpha[row + x]! * k);
  }
}

export async function cutOut(model: SegmentModel, args: CutoutArgs, limits: DecodeLimits = DEFAULT_LIMITS, opts: { refine?: boolean } = {}): Promise<CutoutData> {
  const started = performance.now();
  const probe = await probeImage(args.image, limits);
  const W0 = probe.width;
  const H0 = probe.height;
  // Boxes arrive in the pixels of the image the checks saw (args.width × args.height).
  const sx = args.width > 0 ? W0 / args.width : 1;
  const sy = args.height > 0 ? H0 / args.height : 1;
  const faces = args.faces
    .filter((f) => f.w > 0 && f.h > 0 && Number.isFinite(f.x + f.y + f.w + f.h))
    .map((f) => ({ ...f, x: f.x * sx, y: f.y * sy, w: f.w * sx, h: f.h * sy }));
  if (faces.length === 0) throw new Error('cut-out needs at least one face');
  const maxFace = args.maxFacePx ?? DEFAULT_MAX_FACE_PX;
  let k = Math.min(1, maxFace / Math.max(...faces.map((f) => f.h)));
  // Never larger than the print needs: the crop's long side at most maxLongPx (a group across
  // the widest layout box of a 6×4 in print at 300 dpi is 1620 px wide). A 12 MP photo of close faces otherwise makes a
  // 7 MP crop whose refinement costs seconds for pixels the print never shows.
  const atK = bodyRegion(faces.map((f) => ({ ...f, x: f.x * k, y: f.y * k, w: f.w * k, h: f.h * k })), W0 * k, H0 * k, args.mode, CUTOUT_MARGINS);
  const maxLong = args.maxLongPx ?? DEFAULT_MAX_LONG_PX;
  if (Math.max(atK.width, atK.height) > maxLong) k *= maxLong / Math.max(atK.width, atK.height);
  const W = Math.max(1, Math.round(W0 * k));
  const H = Math.max(1, Math.round(H0 * k));
  const scaled = faces.map((f) => ({ ...f, x: f.x * k, y: f.y * k, w: f.w * k, h: f.h * k }));
  const region = bodyRegion(scaled, W, H, args.mode, CUTOUT_MARGINS);
  let rgb: Buffer;
  try {
    rgb = await open(args.image, limits)
      .rotate()
      .resize(W, H, { fit: 'fill' })
      .removeAlpha()
      .toColourspace('srgb')
      .extract(region)
      .raw()
      .toBuffer();
  } catch (e) {
    throw decodeFailure(e);
  }
  if (rgb.length !== region.width * region.height * 3) throw new Error(`decoded ${rgb.length} bytes for ${region.width}x${region.height}`);
  const decodeMs = performance.now() - started;
  const local = scaled.map((f) => ({ ...f, x: f.x - region.left, y: f.y - region.top }));
  const seg = await segmentPeople(model, rgb, region.width, region.height, local, { mode: args.mode, refine: opts.refine });
  if (args.mode === 'upper-body' && region.top + region.height < H) fadeBottom(seg.alpha, region.width, region.height);
  return {
    width: region.width,
    height: region.height,
    rgb: new Uint8Array(rgb.buffer, rgb.byteOffset, rgb.byteLength),
    alpha: seg.alpha,
    faces: local,
    region: { ...region, scale: k },
    timings: { decodeMs, modelMs: seg.modelMs, refineMs: seg.refineMs, passes: seg.passes },
  };
}
