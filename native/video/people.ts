// Where the people are: face boxes widened to head + shoulders + body, and the steady "people layer"
// (the photo cut out with a feathered mask) that is laid over the moving background so faces never move.
import sharp from 'sharp';

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Frame {
  width: number;
  height: number;
}

/** How a source image maps onto the output frame (scale, then centre crop). */
export interface Fit {
  scale: number;
  offsetX: number;
  offsetY: number;
}

/** Output size: the given width, height from the photo's aspect, kept between 16:9 and 9:16, even. */
export function outputFrame(src: Frame, width: number): Frame {
  const even = (n: number): number => Math.max(2, 2 * Math.round(n / 2));
  const w = even(width);
  const h = Math.min(even((w * 16) / 9), Math.max(even((w * 9) / 16), even((w * src.height) / src.width)));
  return { width: w, height: h };
}

/** "cover" fit: scale so the photo fills the frame, crop the overflow equally on both sides. */
export function coverFit(src: Frame, out: Frame): Fit {
  const scale = Math.max(out.width / src.width, out.height / src.height);
  return { scale, offsetX: (src.width * scale - out.width) / 2, offsetY: (src.height * scale - out.height) / 2 };
}

export function mapBox(b: Box, fit: Fit): Box {
  return { x: b.x * fit.scale - fit.offsetX, y: b.y * fit.scale - fit.offsetY, w: b.w * fit.scale, h: b.h * fit.scale };
}

/** Faces that are usable: finite, positive size, at least partly inside the frame. */
export function usableFaces(faces: readonly Box[], frame: Frame): Box[] {
  return faces.filter(
    (f) =>
      [f.x, f.y, f.w, f.h].every(Number.isFinite) &&
      f.w > 1 &&
      f.h > 1 &&
      f.x < frame.width &&
      f.y < frame.height &&
      f.x + f.w > 0 &&
      f.y + f.h > 0,
  );
}

/**
 * The body that belongs to a face: a head ellipse around the face (hair, ears, chin) and a torso
 * from the chin to the bottom edge, about three face-widths across (shoulders).
 */
export function bodyShapes(face: Box, frame: Frame): { head: { cx: number; cy: number; rx: number; ry: number }; torso: Box } {
  const cx = face.x + face.w / 2;
  const head = { cx, cy: face.y + face.h * 0.42, rx: face.w * 0.95, ry: face.h * 1.05 };
  const top = face.y + face.h * 0.85;
  const torsoW = face.w * 3.1;
  return { head, torso: { x: cx - torsoW / 2, y: top, w: torsoW, h: Math.max(0, frame.height - top + face.h) } };
}

/** Zoom anchor: the size-weighted centre of the faces (the point the camera move keeps fixed). */
export function peopleAnchor(faces: readonly Box[], frame: Frame): { x: number; y: number } {
  if (faces.length === 0) return { x: frame.width / 2, y: frame.height / 2 };
  let sx = 0;
  let sy = 0;
  let sw = 0;
  for (const f of faces) {
    const w = f.w * f.h;
    sx += (f.x + f.w / 2) * w;
    sy += (f.y + f.h / 2) * w;
    sw += w;
  }
  const clamp = (v: number, hi: number): number => Math.min(hi, Math.max(0, v));
  return { x: clamp(sx / sw, frame.width), y: clamp(sy / sw, frame.height) };
}

/**
 * Margin around the body (× face width) and feather (σ, × median face width) of the people layer.
 * A wide, soft margin keeps the background next to the people almost still too, so the seam between
 * the steady people and the drifting background reads as a slight softness, not a double contour.
 */
export const MASK_PAD = 0.3;
export const MASK_FEATHER = 0.22;

/** The mask as SVG (white = people, with margin), before feathering. */
export function peopleMaskSvg(faces: readonly Box[], frame: Frame): string {
  const shapes = faces
    .map((f) => {
      const { head, torso } = bodyShapes(f, frame);
      const pad = f.w * MASK_PAD;
      const r = f.w * 0.7 + pad;
      return `<ellipse cx="${head.cx.toFixed(1)}" cy="${head.cy.toFixed(1)}" rx="${(head.rx + pad).toFixed(1)}" ry="${(head.ry + pad).toFixed(1)}"/>
        <rect x="${(torso.x - pad).toFixed(1)}" y="${(torso.y - pad).toFixed(1)}" width="${(torso.w + 2 * pad).toFixed(1)}" height="${(torso.h + pad).toFixed(1)}" rx="${r.toFixed(1)}"/>`;
    })
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${frame.width}" height="${frame.height}">
    <rect width="100%" height="100%" fill="#000"/><g fill="#fff">${shapes}</g></svg>`;
}

/**
 * The people layer: the fitted photo (raw RGB, frame-sized) with a feathered alpha mask, cropped to
 * the mask's bounding box (even offsets, for yuv420), as a PNG plus where it goes in the frame.
 * Feathered with σ = MASK_FEATHER × the median face width; the face boxes themselves stay fully opaque.
 */
export async function peopleCutoutPng(
  photoRgb: Buffer,
  frame: Frame,
  faces: readonly Box[],
): Promise<{ png: Buffer; left: number; top: number; width: number; height: number }> {
  const widths = faces.map((f) => f.w).sort((a, b) => a - b);
  const median = widths[Math.floor(widths.length / 2)] ?? 100;
  const sigma = Math.max(1.5, median * MASK_FEATHER);
  const mask = await sharp(Buffer.from(peopleMaskSvg(faces, frame)))
    .resize(frame.width, frame.height, { fit: 'fill' })
    .blur(sigma)
    .extractChannel(0)
    .raw()
    .toBuffer();
  return stillLayerPng(photoRgb, frame, mask);
}

/**
 * A still layer: the fitted photo (raw RGB, frame-sized) with `mask` (raw one band, frame-sized)
 * as its alpha, cropped to the mask's bounding box (even offsets, for yuv420), as a PNG plus
 * where it goes in the frame.
 */
export async function stillLayerPng(
  photoRgb: Buffer,
  frame: Frame,
  mask: Buffer,
): Promise<{ png: Buffer; left: number; top: number; width: number; height: number }> {
  if (mask.length !== frame.width * frame.height) throw new Error(`mask has ${mask.length} bytes for ${frame.width}x${frame.height}`);
  // Bounding box of every pixel the mask touches.
  let x0 = frame.width;
  let y0 = frame.height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < frame.height; y++) {
    const row = y * frame.width;
    for (let x = 0; x < frame.width; x++) {
      if ((mask[row + x] as number) > 0) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        y1 = y;
      }
    }
  }
  if (x1 < 0) {
    x0 = 0;
    y0 = 0;
    x1 = 1;
    y1 = 1;
  }
  const left = x0 & ~1;
  const top = y0 & ~1;
  const width = Math.min(frame.width - left, ((x1 - left + 2) & ~1) || 2);
  const height = Math.min(frame.height - top, ((y1 - top + 2) & ~1) || 2);
  // Two steps: sharp applies extract before joinChannel within one pipeline.
  const rgba = await sharp(photoRgb, { raw: { width: frame.width, height: frame.height, channels: 3 } })
    .joinChannel(mask, { raw: { width: frame.width, height: frame.height, channels: 1 } })
    .raw()
    .toBuffer();
  const png = await sharp(rgba, { raw: { width: frame.width, height: frame.height, channels: 4 } })
    .extract({ left, top, width, height })
    .png({ compressionLevel: 1 })
    .toBuffer();
  return { png, left, top, width, height };
}
