// Cuts the people out of one checked photo. Normally a real cut-out: the native worker segments
// the people the face checks found (native/segment: MediaPipe selfie segmentation per person,
// refined at print resolution), so only they come along — pets, posters and the room stay out.
// When no segmenter is at hand (model missing, worker down) the cut falls back to a soft,
// intentional vignette: a head ellipse plus a shoulder ellipse per face, feathered, fading out
// below the chest — on a festive backdrop that reads as a portrait style, not a failed cut-out.
import sharp from 'sharp';
import type { FaceBox } from '../../../../shared/contract';
import { bodyRegion as cropAround, type BodyMargins, type Region } from '../../../../../native/segment/region';
import { applyOutfit, type OutfitKind } from './outfit';

/** `upper-body`: one person or a few, head-and-shoulders (时空拼图). `group`: the whole family photo down to its bottom edge (富贵变身). */
export type CutMode = 'upper-body' | 'group';

export interface PhotoIn {
  jpeg: Buffer;
  faces: FaceBox[];
  width: number;
  height: number;
}

export interface Cutout {
  /** Opaque crop, raw RGB (3 channels). */
  rgb: Buffer;
  /** Soft mask, raw 1 channel, same size. */
  alpha: Buffer;
  width: number;
  height: number;
  /** Face boxes in cutout pixels. */
  faces: FaceBox[];
  /** True for a real cut-out (segmentation), false for the vignette fallback. */
  segmented?: boolean;
  /** Its bottom edge is where the people stand (a full group photo), so it casts a contact shadow. */
  ground?: boolean;
  /** Lowest row where the person is still opaque (an upper-body cut fades out below it). */
  solidBottom?: number;
}

/** The lowest row with an opaque pixel (alpha ≥ 250); the height when the bottom row is opaque. */
export function solidBottomOf(alpha: Buffer, width: number, height: number): number {
  for (let y = height - 1; y >= 0; y--) {
    const row = y * width;
    for (let x = 0; x < width; x++) if (alpha[row + x]! >= 250) return y + 1;
  }
  return height;
}

/** The crop is never larger than needed for the output: no layout draws a face taller (layouts.ts, maxFace). */
export const MAX_FACE_PX = 250;

/** A stand-in face when a photo came without boxes and no detector is at hand: a person in the middle. */
export function guessFace(width: number, height: number): FaceBox {
  const w = Math.max(1, Math.min(width, height) * 0.22);
  return { x: width / 2 - w / 2, y: height * 0.2, w, h: w, score: 0 };
}

/** Where to cut: around every face, wide enough that the feathered edge of the shoulders (1.8 w + blur) is never clipped. */
const VIGNETTE_MARGINS: BodyMargins = { side: { group: 2.3, 'upper-body': 2.15 }, above: { group: 0.9, 'upper-body': 0.75 } };
export const bodyRegion = (faces: readonly FaceBox[], imgW: number, imgH: number, mode: CutMode): Region => cropAround(faces, imgW, imgH, mode, VIGNETTE_MARGINS);

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 1;
}

/** The mask as SVG in region coordinates: white where the people are. */
export function maskSvg(faces: readonly FaceBox[], region: Region, mode: CutMode, clippedTop = false): string {
  const shapes: string[] = [];
  for (const f of faces) {
    const cx = f.x + f.w / 2 - region.left;
    const y = f.y - region.top;
    // Head (with hair above the box), neck, and the shoulders/chest below it. Each person gets their
    // own silhouette: neighbours' shoulders overlap and merge, but the gap between people who stand
    // apart stays out, so no slab of the original room comes along.
    shapes.push(`<ellipse cx="${cx}" cy="${y + 0.38 * f.h}" rx="${0.82 * f.w}" ry="${0.98 * f.h}"/>`);
    shapes.push(`<rect x="${cx - 0.42 * f.w}" y="${y + 0.6 * f.h}" width="${0.84 * f.w}" height="${f.h}"/>`);
    shapes.push(`<ellipse cx="${cx}" cy="${y + 3.0 * f.h}" rx="${1.8 * f.w}" ry="${2.05 * f.h}"/>`);
    if (mode === 'group') {
      // The rest of the body, down to the photo's bottom edge.
      const top = y + 3.0 * f.h;
      shapes.push(`<rect x="${cx - 1.75 * f.w}" y="${top}" width="${3.5 * f.w}" height="${Math.max(0, region.height - top)}" rx="${0.3 * f.w}"/>`);
    }
  }
  // Upper-body cuts fade out below the chest; a group keeps its bottom edge (it sits on the frame's bottom).
  const fadeFrom = mode === 'group' ? 1 : 0.8;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${region.width}" height="${region.height}">` +
    `<defs><linearGradient id="fade" gradientUnits="userSpaceOnUse" x1="0" y1="0" x2="0" y2="${region.height}">` +
    // Hair cut off by the photo's top edge fades in instead of ending in a straight line.
    (clippedTop
      ? `<stop offset="0" stop-color="#fff" stop-opacity="0"/><stop offset="${Math.min(0.12, (0.35 * (faces[0]?.h ?? 0)) / region.height)}" stop-color="#fff"/>`
      : `<stop offset="0" stop-color="#fff"/>`) +
    `<stop offset="${fadeFrom}" stop-color="#fff"/>` +
    `<stop offset="1" stop-color="#fff" stop-opacity="${mode === 'group' ? 1 : 0}"/></linearGradient></defs>` +
    `<g fill="url(#fade)">${shapes.join('')}</g></svg>`
  );
}

function swapsAxes(orientation: number | undefined): boolean {
  return orientation !== undefined && orientation >= 5 && orientation <= 8;
}

/** The native worker's cut-out (NativeHost 'cut-out'): RGB + refined alpha of the people's crop. */
export interface SegmentedCut {
  width: number;
  height: number;
  rgb: Uint8Array;
  alpha: Uint8Array;
  faces: FaceBox[];
}

export type Segmenter = (req: {
  image: Buffer;
  faces: FaceBox[];
  width: number;
  height: number;
  mode: CutMode;
  maxFacePx: number;
  /** Longest side of the people's crop; default the worker's (the standard print's widest group). */
  maxLongPx?: number;
}) => Promise<SegmentedCut>;

export interface CutOptions {
  mode: CutMode;
  outfit: OutfitKind | null;
  detectFaces?: (image: Buffer) => Promise<FaceBox[]>;
  /** Real cut-outs; without it (or when it fails) the vignette is used. */
  segment?: Segmenter;
  /** Told when the vignette had to stand in for a real cut-out (for the log). */
  onFallback?: (reason: string) => void;
  /** Largest face kept in the crop (default MAX_FACE_PX); 尊享's larger output keeps more of the photo. */
  maxFacePx?: number;
  /** Longest side of the crop (default: the worker's, sized for the standard print). */
  maxLongPx?: number;
  /** 尊享: tighten the mask's soft edge, so less of the old background's halo comes along. */
  refineMask?: boolean;
}

/**
 * Tightens a soft mask: the faint outer fringe (under about 7 %, where the old room shows through
 * as a halo) goes, the solid inside stays; the feather in between gets a little steeper.
 */
export function tightenMask(alpha: Buffer): Buffer {
  const out = Buffer.allocUnsafe(alpha.length);
  for (let i = 0; i < alpha.length; i++) out[i] = Math.max(0, Math.min(255, Math.round(alpha[i]! * 1.08 - 18)));
  return out;
}

/** Decodes a photo and returns its people as a soft-masked cut-out (faces kept, scaled to at most MAX_FACE_PX). */
export async function cutPhoto(photo: PhotoIn, opts: CutOptions): Promise<Cutout> {
  const meta = await sharp(photo.jpeg, { failOn: 'none' }).metadata();
  let w0 = meta.width ?? photo.width;
  let h0 = meta.height ?? photo.height;
  if (swapsAxes(meta.orientation)) [w0, h0] = [h0, w0];
  if (!(w0 > 0 && h0 > 0)) throw new Error('photo has no size');

  // Boxes come in the checked photo's pixels; the JPEG we got may have been scaled since.
  const sx = photo.width > 0 ? w0 / photo.width : 1;
  const sy = photo.height > 0 ? h0 / photo.height : 1;
  let faces = photo.faces
    .filter((f) => f.w > 0 && f.h > 0 && Number.isFinite(f.x + f.y + f.w + f.h))
    .map((f) => ({ ...f, x: f.x * sx, y: f.y * sy, w: f.w * sx, h: f.h * sy }));
  if (faces.length === 0 && opts.detectFaces) faces = await opts.detectFaces(photo.jpeg).catch(() => []);
  if (faces.length === 0) faces = [guessFace(w0, h0)];

  const maxFacePx = opts.maxFacePx ?? MAX_FACE_PX;
  if (opts.segment && faces.some((f) => f.score > 0)) {
    try {
      const c = await opts.segment({ image: photo.jpeg, faces, width: w0, height: h0, mode: opts.mode, maxFacePx, ...(opts.maxLongPx ? { maxLongPx: opts.maxLongPx } : {}) });
      const rgbBuf = Buffer.from(c.rgb.buffer, c.rgb.byteOffset, c.rgb.byteLength);
      const raw = Buffer.from(c.alpha.buffer, c.alpha.byteOffset, c.alpha.byteLength);
      const alpha = opts.refineMask ? tightenMask(raw) : raw;
      if (rgbBuf.length !== c.width * c.height * 3 || alpha.length !== c.width * c.height) throw new Error('cut-out buffers do not match their size');
      const rgb = opts.outfit ? await applyOutfit(rgbBuf, c.width, c.height, c.faces, opts.outfit, alpha) : rgbBuf;
      return { rgb, alpha, width: c.width, height: c.height, faces: c.faces, segmented: true, ground: opts.mode === 'group', solidBottom: solidBottomOf(alpha, c.width, c.height) };
    } catch (e) {
      opts.onFallback?.((e as Error).message ?? String(e));
    }
  } else if (opts.segment) {
    opts.onFallback?.('no face boxes');
  }

  const k = Math.min(1, maxFacePx / Math.max(...faces.map((f) => f.h)));
  const W = Math.max(1, Math.round(w0 * k));
  const H = Math.max(1, Math.round(h0 * k));
  const scaled = faces.map((f) => ({ ...f, x: f.x * k, y: f.y * k, w: f.w * k, h: f.h * k }));
  const region = bodyRegion(scaled, W, H, opts.mode);

  let rgb = await sharp(photo.jpeg, { failOn: 'none' })
    .rotate()
    .resize(W, H, { fit: 'fill' })
    .removeAlpha()
    .toColourspace('srgb')
    .extract(region)
    .raw()
    .toBuffer();

  const local = scaled.map((f) => ({ ...f, x: f.x - region.left, y: f.y - region.top }));
  if (opts.outfit) rgb = await applyOutfit(rgb, region.width, region.height, local, opts.outfit);

  const sigma = Math.max(1.5, 0.1 * median(scaled.map((f) => f.w)));
  const clippedTop = region.top === 0 && scaled.some((f) => f.y - 0.6 * f.h < 0);
  const soft = await sharp(Buffer.from(maskSvg(scaled, region, opts.mode, clippedTop)))
    .ensureAlpha()
    .extractChannel(3)
    .blur(sigma)
    .raw()
    .toBuffer();
  const alpha = opts.refineMask ? tightenMask(soft) : soft;

  // sharp silently changes band counts in some pipelines; a wrong stride would paint stripes.
  if (rgb.length !== region.width * region.height * 3 || alpha.length !== region.width * region.height) {
    throw new Error(`cut-out buffers do not match ${region.width}x${region.height}`);
  }
  return { rgb, alpha, width: region.width, height: region.height, faces: local, segmented: false, solidBottom: solidBottomOf(alpha, region.width, region.height) };
}
