// The photo that leaves the kiosk: EXIF orientation applied, every metadata block stripped (GPS,
// camera serials, thumbnails), sRGB, long side capped to what the AI provider takes, never
// upscaled, JPEG quality lowered step by step until it fits the byte budget.
import sharp from 'sharp';
import { DEFAULT_LIMITS, decodeFailure, decodeRgb, open, type DecodeLimits, type ProbedImage } from './decode';
import type { ScaledLoads } from './scaled-load';
import type { RgbImage } from '../face/tensor';

export interface CompressOptions {
  /** Jimeng takes ≤ 4096 per side; 2560 keeps its 2K-class quality and fits 2 MB easily. */
  maxLongSide: number;
  maxBytes: number;
  /** Qualities tried in order; after the last one the image is scaled down by 0.8 and tried again. */
  qualities: readonly number[];
}

export const DEFAULT_COMPRESS: CompressOptions = {
  maxLongSide: 2560,
  maxBytes: 2 * 1024 * 1024,
  qualities: [88, 80, 72, 64, 56, 48],
};

export interface Compressed {
  jpeg: Buffer;
  width: number;
  height: number;
  quality: number;
  /** The same pixels as the JPEG, before encoding: the quality rules read face regions from it. */
  pixels: RgbImage;
}

/**
 * The long side to resize to. When halving the original lands within 75–100 % of the cap, use
 * exactly the half (rounded up, as libjpeg rounds): a JPEG is then decoded at 1/2 scale with no
 * resize after it (see decodeRgb), and the result is still a 2K-class input for the AI.
 */
export function uploadLongSide(originalLong: number, cap: number): number {
  if (originalLong <= cap) return originalLong;
  for (const k of [2, 4, 8]) {
    const half = Math.ceil(originalLong / k);
    if (half <= cap && half >= 0.75 * cap) return half;
  }
  return cap;
}

export async function compressPhoto(
  buf: Uint8Array,
  opts: CompressOptions = DEFAULT_COMPRESS,
  limits: DecodeLimits = DEFAULT_LIMITS,
  originalLong?: number,
): Promise<Compressed> {
  const pixels = await decodeUpload(buf, opts, limits, originalLong);
  return encodeToBudget(pixels, opts, limits);
}

/**
 * Decodes to the upload size: EXIF-oriented, sRGB, 8-bit RGB, transparent areas white. With
 * `scaled` (the probed header plus the scratch files) a big JPEG is decoded at exactly 1/2 scale
 * (a 12 MP photo: ~50 ms instead of ~90 ms for a full decode and a 2× reduce).
 */
export async function decodeUpload(
  buf: Uint8Array,
  opts: CompressOptions = DEFAULT_COMPRESS,
  limits: DecodeLimits = DEFAULT_LIMITS,
  originalLong?: number,
  scaled?: { probe: ProbedImage; loads: ScaledLoads },
): Promise<RgbImage> {
  const long = originalLong ? uploadLongSide(originalLong, opts.maxLongSide) : opts.maxLongSide;
  const target = { long, kernel: 'lanczos3', background: '#ffffff' } as const;
  if (scaled) return decodeRgb(buf, scaled.probe, target, limits, scaled.loads);
  try {
    const { data, info } = await open(buf, limits)
      .autoOrient()
      .resize({ width: long, height: long, fit: 'inside', withoutEnlargement: true })
      .toColourspace('srgb')
      .flatten({ background: target.background }) // transparent PNG areas become white, not black, in the JPEG
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height, channels: info.channels };
  } catch (e) {
    throw decodeFailure(e);
  }
}

/** Encodes decoded pixels as JPEG, lowering quality (then size) until the byte budget fits. */
export async function encodeToBudget(pixels: RgbImage, opts: CompressOptions = DEFAULT_COMPRESS, limits: DecodeLimits = DEFAULT_LIMITS): Promise<Compressed> {
  let current = pixels;
  for (let attempt = 0; attempt < 6; attempt++) {
    for (const quality of opts.qualities) {
      // Plain Huffman tables first: a third of the time of optimised ones and only a few percent
      // bigger. Only when that misses the budget are the optimised tables tried at the same quality,
      // so the quality chosen is the same as with optimised coding throughout.
      const plain = await encodeJpeg(current, quality, limits, false);
      if (plain.length <= opts.maxBytes) return { jpeg: plain, width: current.width, height: current.height, quality, pixels };
      const jpeg = await encodeJpeg(current, quality, limits, true);
      if (jpeg.length <= opts.maxBytes) return { jpeg, width: current.width, height: current.height, quality, pixels };
    }
    current = await downscale(current, 0.8);
  }
  // Unreachable for real photos (six 0.8 steps at q48 is ~60 KB per megapixel); fail as data all the same.
  throw decodeFailure(new Error(`could not fit ${opts.maxBytes} bytes`));
}

function encodeJpeg(img: RgbImage, quality: number, limits: DecodeLimits, optimiseCoding: boolean): Promise<Buffer> {
  // No withMetadata()/keepMetadata(): sharp writes no EXIF, XMP, IPTC or ICC block, and untagged JPEG is read as sRGB.
  return sharp(img.data, { raw: { width: img.width, height: img.height, channels: img.channels as 3 | 4 } })
    .timeout({ seconds: Math.max(1, limits.timeoutSeconds) })
    .jpeg({ quality, chromaSubsampling: '4:2:0', mozjpeg: false, optimiseCoding })
    .toBuffer();
}

async function downscale(img: RgbImage, f: number): Promise<RgbImage> {
  const { data, info } = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: img.channels as 3 | 4 } })
    .resize(Math.max(1, Math.round(img.width * f)), Math.max(1, Math.round(img.height * f)))
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

/** The same pixels with the long side at most `long` (returned as is when already that small). */
export async function shrinkTo(img: RgbImage, long: number): Promise<RgbImage> {
  const f = long / Math.max(img.width, img.height);
  return f >= 1 ? img : downscale(img, f);
}

/**
 * Halves the image (2×2 box average) while its long side stays ≥ 0.85 × `long`: in plain JS, a few
 * ms for 2000×1500 where a libvips round trip costs ~20 ms. Returned as is when already that small.
 */
export function halveTo(img: RgbImage, long: number): RgbImage {
  let cur = img;
  while (Math.max(cur.width, cur.height) / 2 >= long * 0.85 && Math.min(cur.width, cur.height) >= 2) {
    const { data, width, channels } = cur;
    const w = Math.floor(cur.width / 2);
    const h = Math.floor(cur.height / 2);
    const out = new Uint8Array(w * h * channels);
    const row = width * channels;
    let o = 0;
    for (let y = 0; y < h; y++) {
      let a = 2 * y * row;
      for (let x = 0; x < w; x++, a += 2 * channels) {
        for (let c = 0; c < channels; c++, o++) {
          out[o] = (data[a + c]! + data[a + channels + c]! + data[a + row + c]! + data[a + row + channels + c]! + 2) >> 2;
        }
      }
    }
    cur = { data: out, width: w, height: h, channels };
  }
  return cur;
}
