// Safe decoding with sharp: refuse by header before spending memory (format, bytes, pixels,
// animation), then decode with a time limit. Every sharp call here goes through `open()` so the
// limits cannot be forgotten on one path.
import sharp from 'sharp';
import { InputFailure } from './failures';
import { ACCEPTED_FORMATS, sniffFormat, type SniffedFormat } from './sniff';
import type { RgbImage } from '../face/tensor';
import { jpegShrinkFor, type ScaledLoads } from './scaled-load';

export interface DecodeLimits {
  /** Files above this many bytes are refused unread. */
  maxBytes: number;
  /** Width × height above this are refused from the header (decompression bombs). */
  maxPixels: number;
  /** Per sharp pipeline, whole seconds (libvips' own granularity). */
  timeoutSeconds: number;
  /** Shorter side below this cannot hold an 80-px face with any margin. */
  minSide: number;
  /** The AI provider refuses long/short > 3. */
  maxAspect: number;
}

export const DEFAULT_LIMITS: DecodeLimits = {
  maxBytes: 20 * 1024 * 1024,
  maxPixels: 50_000_000,
  timeoutSeconds: 3,
  minSide: 64,
  maxAspect: 3,
};

export interface ProbedImage {
  format: SniffedFormat;
  /** Size after EXIF orientation is applied (what the customer sees). */
  width: number;
  height: number;
  /** Raw EXIF orientation tag (1 when absent). */
  orientation: number;
  bytes: number;
}

export function open(buf: Uint8Array, limits: DecodeLimits): sharp.Sharp {
  return sharp(buf, { limitInputPixels: limits.maxPixels, failOn: 'error', sequentialRead: true, pages: 1 }).timeout({
    seconds: Math.max(1, Math.round(limits.timeoutSeconds)),
  });
}

/** Maps a sharp/libvips error to a typed failure; the English text stays in `detail` for the log. */
export function decodeFailure(e: unknown): InputFailure {
  if (e instanceof InputFailure) return e;
  const msg = e instanceof Error ? e.message : String(e);
  if (/timeout/i.test(msg)) return new InputFailure('DECODE_TIMEOUT', msg);
  if (/pixel limit|exceeds.*limit/i.test(msg)) return new InputFailure('TOO_LARGE', msg);
  if (/unsupported image format|Input buffer contains unsupported/i.test(msg)) return new InputFailure('NOT_AN_IMAGE', msg);
  return new InputFailure('UNREADABLE', msg.slice(0, 300));
}

export async function probeImage(buf: Uint8Array, limits: DecodeLimits = DEFAULT_LIMITS): Promise<ProbedImage> {
  if (buf.length === 0) throw new InputFailure('EMPTY_FILE', 'zero bytes');
  if (buf.length > limits.maxBytes) throw new InputFailure('TOO_LARGE', `${buf.length} bytes > ${limits.maxBytes}`);
  const format = sniffFormat(buf);
  if (format === 'unknown') throw new InputFailure('NOT_AN_IMAGE', 'no known image signature');
  if (format === 'heic') throw new InputFailure('HEIC_NOT_SUPPORTED', 'HEIC/HEIF input');
  if (!ACCEPTED_FORMATS.has(format)) {
    throw new InputFailure(format === 'gif' ? 'ANIMATED_IMAGE' : 'UNSUPPORTED_FORMAT', `${format} input`);
  }
  let meta: sharp.Metadata;
  try {
    meta = await open(buf, limits).metadata();
  } catch (e) {
    throw decodeFailure(e);
  }
  const w = meta.width ?? 0;
  const h = meta.height ?? 0;
  if (!(w > 0 && h > 0)) throw new InputFailure('UNREADABLE', 'no dimensions in header');
  if (w * h > limits.maxPixels) throw new InputFailure('TOO_LARGE', `${w}x${h} > ${limits.maxPixels} px`);
  if ((meta.pages ?? 1) > 1) throw new InputFailure('ANIMATED_IMAGE', `${meta.pages} frames`);
  const orientation = meta.orientation ?? 1;
  const swap = orientation >= 5 && orientation <= 8;
  const width = swap ? h : w;
  const height = swap ? w : h;
  if (Math.min(width, height) < limits.minSide) throw new InputFailure('IMAGE_TOO_SMALL', `${width}x${height}`);
  if (Math.max(width, height) / Math.min(width, height) > limits.maxAspect) throw new InputFailure('EXTREME_ASPECT', `${width}x${height}`);
  return { format, width, height, orientation, bytes: buf.length };
}

/**
 * The image the detector sees: EXIF-oriented sRGB, 8-bit RGB, long side about `targetLong`.
 * For JPEG the size is picked so libjpeg can shrink on load by 2/4/8 (a 12 MP photo decodes in a
 * fraction of the full-size time).
 */
export async function decodeWorkImage(
  buf: Uint8Array,
  probe: ProbedImage,
  targetLong: number,
  limits: DecodeLimits = DEFAULT_LIMITS,
  scaled?: ScaledLoads,
): Promise<RgbImage> {
  const long = Math.max(probe.width, probe.height);
  let shrink = 1;
  while (shrink < 8 && long / (shrink * 2) >= targetLong * 0.85) shrink *= 2;
  const workLong = Math.min(long, Math.ceil(long / shrink));
  return decodeRgb(buf, probe, { long: workLong, kernel: 'linear', background: '#808080' }, limits, scaled);
}

export interface RgbTarget {
  /** Long side of the result (never enlarged). */
  long: number;
  kernel: keyof sharp.KernelEnum;
  /** What transparent areas become. */
  background: string;
}

/**
 * Decodes to EXIF-oriented sRGB 8-bit RGB with the long side at most `target.long`. A JPEG at least
 * twice that size is decoded at 1/2, 1/4 or 1/8 scale through a scratch file when `scaled` is given
 * (see scaled-load.ts); anything that path cannot do is decoded from memory, so the result and the
 * failures are the same either way.
 */
export async function decodeRgb(buf: Uint8Array, probe: ProbedImage, target: RgbTarget, limits: DecodeLimits, scaled?: ScaledLoads): Promise<RgbImage> {
  const shrink = probe.format === 'jpeg' && scaled?.enabled ? jpegShrinkFor(Math.max(probe.width, probe.height), target.long) : 1;
  if (scaled && shrink > 1) {
    try {
      const img = await scaled.withFile(buf, probe.orientation, (path) => toRgb(openFile(`${path}[shrink=${shrink}]`, limits), target, false));
      if (img) return img;
    } catch (e) {
      const failure = decodeFailure(e);
      if (failure.code === 'DECODE_TIMEOUT') throw failure;
      const fromMemory = await toRgb(open(buf, limits), target, true).catch((err: unknown) => {
        throw decodeFailure(err);
      });
      scaled.disable(failure.detail); // memory worked where the file did not: this platform cannot use the file path
      return fromMemory;
    }
  }
  try {
    return await toRgb(open(buf, limits), target, true);
  } catch (e) {
    throw decodeFailure(e);
  }
}

/** Opens a file (with libvips load options in the name) under the same limits as `open()`. */
function openFile(pathWithOptions: string, limits: DecodeLimits): sharp.Sharp {
  return sharp(pathWithOptions, { limitInputPixels: limits.maxPixels, failOn: 'error', sequentialRead: true, pages: 1 }).timeout({
    seconds: Math.max(1, Math.round(limits.timeoutSeconds)),
  });
}

async function toRgb(img: sharp.Sharp, target: RgbTarget, fastShrinkOnLoad: boolean): Promise<RgbImage> {
  // From a scratch file the scale is already chosen; fastShrinkOnLoad: false keeps sharp from
  // reloading (it would pass the bracketed name to the JPEG loader, which takes no options there).
  const { data, info } = await img
    .autoOrient()
    .resize({ width: target.long, height: target.long, fit: 'inside', withoutEnlargement: true, kernel: target.kernel, fastShrinkOnLoad })
    .toColourspace('srgb')
    .flatten({ background: target.background })
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}
