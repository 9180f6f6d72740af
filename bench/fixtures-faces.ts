// Test and benchmark images made from the two public fixtures (astronaut: one face; coffee: none).
// Nothing is downloaded: groups are tiles of the astronaut portrait, bad inputs are made in memory.
// Others may reuse these (e.g. the generator's quality gate, e2e camera frames).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync, crc32 } from 'node:zlib';
import sharp from 'sharp';

import { FIXTURES_DIR } from '../fixtures/paths';

export { FIXTURES_DIR };

/** The astronaut portrait (512×512 PNG); its face box is about (173, 75, 103×103). */
export const astronautPng = (): Buffer => readFileSync(join(FIXTURES_DIR, 'astronaut.png'));
/** 600×400 PNG of a coffee cup: no face. */
export const coffeePng = (): Buffer => readFileSync(join(FIXTURES_DIR, 'coffee.png'));
/** A real photo of a tabby cat, 451×300 ("chelsea", CC0, Stéfan van der Walt; skimage data). */
export const catPng = (): Buffer => readFileSync(join(FIXTURES_DIR, 'chelsea.png'));
/** A rocket launch, 640×427 (SpaceX, public domain; skimage data): enlarged to 4000 px, BlazeFace sees a "face" in it at 0.79. */
export const rocketJpeg = (): Buffer => readFileSync(join(FIXTURES_DIR, 'rocket.jpg'));

/** Share of the portrait's side taken by the face box (103 / 512). */
export const FACE_SHARE = 0.2;

export interface GroupOptions {
  count: number;
  /** Side of each portrait tile in px; the face is ~20 % of it. A number or one per person. */
  tile: number | number[];
  width: number;
  height: number;
  format?: 'jpeg' | 'png';
  quality?: number;
}

export interface GroupImage {
  image: Buffer;
  width: number;
  height: number;
  /** Where each tile went (x, y, side): the face is at ≈ (x + 0.34·side, y + 0.15·side, 0.2·side). */
  tiles: Array<{ x: number; y: number; side: number }>;
}

/** Whether a found face box is the face of this tile (its top-left within 10 % of the tile side). */
export function isTileFace(f: { x: number; y: number }, t: { x: number; y: number; side: number }): boolean {
  return Math.abs(f.x - (t.x + 0.34 * t.side)) < 0.1 * t.side && Math.abs(f.y - (t.y + 0.15 * t.side)) < 0.1 * t.side;
}

/** A wall-like, slightly noisy background, so JPEG sizes and detector behaviour are photo-like. */
async function backdrop(width: number, height: number): Promise<sharp.Sharp> {
  // Noise made at half size and scaled up: photo-like grain at a quarter of the cost.
  const w = Math.max(1, Math.ceil(width / 2));
  const h = Math.max(1, Math.ceil(height / 2));
  const noise = await sharp({ create: { width: w, height: h, channels: 3, background: '#969696', noise: { type: 'gaussian', mean: 150, sigma: 12 } } })
    .tint({ r: 200, g: 185, b: 160 })
    .resize(width, height, { kernel: 'linear' })
    .raw()
    .toBuffer();
  return sharp(noise, { raw: { width, height, channels: 3 } });
}

/** `count` astronauts side by side (wrapping into rows), centred on a `width`×`height` canvas. */
export async function groupPhoto(o: GroupOptions): Promise<GroupImage> {
  const sides = Array.from({ length: o.count }, (_, i) => (Array.isArray(o.tile) ? (o.tile[i % o.tile.length] ?? 256) : o.tile));
  const gap = 12;
  const tiles: GroupImage['tiles'] = [];
  let x = gap;
  let y = gap;
  let rowH = 0;
  for (const side of sides) {
    if (x + side + gap > o.width) {
      x = gap;
      y += rowH + gap;
      rowH = 0;
    }
    tiles.push({ x, y, side });
    x += side + gap;
    rowH = Math.max(rowH, side);
  }
  const usedW = Math.max(...tiles.map((t) => t.x + t.side)) + gap;
  const usedH = Math.max(...tiles.map((t) => t.y + t.side)) + gap;
  if (usedW > o.width || usedH > o.height) throw new Error(`group of ${o.count} × ${String(o.tile)} does not fit ${o.width}×${o.height}`);
  const dx = Math.floor((o.width - usedW) / 2);
  const dy = Math.floor((o.height - usedH) / 2);
  for (const t of tiles) {
    t.x += dx;
    t.y += dy;
  }
  const src = astronautPng();
  const layers = await Promise.all(
    tiles.map(async (t) => ({ input: await sharp(src).resize(t.side, t.side).png({ compressionLevel: 1 }).toBuffer(), left: t.x, top: t.y })),
  );
  const canvas = (await backdrop(o.width, o.height)).composite(layers);
  const image = o.format === 'png' ? await canvas.png().toBuffer() : await canvas.jpeg({ quality: o.quality ?? 90 }).toBuffer();
  return { image, width: o.width, height: o.height, tiles };
}

export const portraitJpeg = (quality = 92): Promise<Buffer> => sharp(astronautPng()).jpeg({ quality }).toBuffer();
export const darkPortrait = (): Promise<Buffer> => sharp(astronautPng()).linear(0.2, 0).jpeg().toBuffer();
export const brightPortrait = (): Promise<Buffer> => sharp(astronautPng()).linear(1.6, 80).jpeg().toBuffer();
export const blurredPortrait = (sigma = 3): Promise<Buffer> => sharp(astronautPng()).blur(sigma).jpeg().toBuffer();

/** The portrait with its face box running off the left edge. */
export const cutAtEdge = (): Promise<Buffer> =>
  sharp(astronautPng()).extract({ left: 200, top: 0, width: 312, height: 512 }).jpeg().toBuffer();

/** The portrait with its head cut at the top edge (face still visible). */
export const cutAtTop = (): Promise<Buffer> =>
  sharp(astronautPng()).extract({ left: 0, top: 90, width: 512, height: 422 }).jpeg().toBuffer();

/**
 * A phone photo held sideways: pixels stored rotated, EXIF orientation 6 says "rotate 90° clockwise
 * to view". Without applying orientation the face lies on its side.
 */
export async function exifRotatedPortrait(width = 1024): Promise<Buffer> {
  return sharp(astronautPng())
    .resize(width)
    .rotate(-90)
    .jpeg({ quality: 90 })
    .withMetadata({ orientation: 6 })
    .toBuffer();
}

/** A JPEG carrying GPS and camera EXIF, to prove the upload copy drops them. */
export function portraitWithGps(): Promise<Buffer> {
  return sharp(astronautPng())
    .jpeg()
    .withExif({ IFD0: { Make: 'KioskCam', Model: 'Test 1' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '39/1 54/1 2/1', GPSLongitudeRef: 'E', GPSLongitude: '116/1 23/1 29/1' } })
    .toBuffer();
}

/** A 12-megapixel (4000×3000) family photo: `count` people with faces of ~`faceSide` px. */
export async function twelveMegapixel(count = 3, faceSide = 180): Promise<GroupImage> {
  return groupPhoto({ count, tile: Math.round(faceSide / FACE_SHARE), width: 4000, height: 3000, quality: 92 });
}

/** A 1080p camera frame with two people from ~2 m. */
export const frame1080p = (count = 2, faceSide = 110): Promise<GroupImage> =>
  groupPhoto({ count, tile: Math.round(faceSide / FACE_SHARE), width: 1920, height: 1080, quality: 88 });

/** A ~320-px preview frame as the capture screen sends for live guidance. */
export async function previewFrame(count = 1, tile = 200): Promise<Buffer> {
  if (tile > 216) throw new Error('a preview tile must be ≤ 216 px to fit 320×240');
  return (await groupPhoto({ count, tile, width: 320, height: 240, quality: 75 })).image;
}

/** Cartoon animal faces (two eyes, a muzzle, ears): the detector must not count them as people. */
export function cartoonAnimal(kind: 'cat' | 'dog', side = 512): Promise<Buffer> {
  const ears =
    kind === 'cat'
      ? '<polygon points="120,190 170,60 230,170" fill="#d08a3c"/><polygon points="392,190 342,60 282,170" fill="#d08a3c"/>'
      : '<ellipse cx="120" cy="250" rx="55" ry="120" fill="#6b4423"/><ellipse cx="392" cy="250" rx="55" ry="120" fill="#6b4423"/>';
  const fur = kind === 'cat' ? '#e09a4c' : '#a0703f';
  const whiskers = kind === 'cat' ? '<path d="M260 330 L120 300 M260 340 L115 345 M252 330 L392 300 M252 340 L397 345" stroke="#333" stroke-width="4"/>' : '';
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="512" height="512" viewBox="0 0 512 512">
    <rect width="512" height="512" fill="#7d9a6a"/>${ears}
    <ellipse cx="256" cy="290" rx="165" ry="150" fill="${fur}"/>
    <ellipse cx="196" cy="260" rx="28" ry="${kind === 'cat' ? 34 : 26}" fill="#2b5f1e"/><ellipse cx="196" cy="260" rx="8" ry="${kind === 'cat' ? 28 : 12}" fill="#000"/>
    <ellipse cx="316" cy="260" rx="28" ry="${kind === 'cat' ? 34 : 26}" fill="#2b5f1e"/><ellipse cx="316" cy="260" rx="8" ry="${kind === 'cat' ? 28 : 12}" fill="#000"/>
    <ellipse cx="256" cy="345" rx="${kind === 'cat' ? 60 : 80}" ry="${kind === 'cat' ? 40 : 60}" fill="#f3e3cf"/>
    <polygon points="240,318 272,318 256,338" fill="#d55"/>
    <path d="M256 338 Q240 362 222 356 M256 338 Q272 362 290 356" stroke="#333" stroke-width="4" fill="none"/>${whiskers}
  </svg>`;
  return sharp(Buffer.from(svg)).resize(side, side).jpeg({ quality: 90 }).toBuffer();
}

// ---------------------------------------------------------------- bad inputs

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td) >>> 0);
  return Buffer.concat([len, td, crc]);
}

/**
 * A decompression bomb: a valid PNG header announcing 30 000 × 30 000 RGB (2.7 GB of pixels) and a
 * compressed stream of zero rows that would inflate to that size. Its file is small.
 */
export function pngBomb(side = 30_000): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  // Only the first rows are actually written: enough to be a real PNG stream, cheap to make.
  const rows = Buffer.alloc((side * 3 + 1) * 64);
  const idat = deflateSync(rows, { level: 9 });
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', ihdr), pngChunk('IDAT', idat), pngChunk('IEND', Buffer.alloc(0))]);
}

export interface BadInput {
  bytes: Buffer;
  /** Reason code the checks must return. */
  code: string;
}

/** Every kind of bad input the issue names, each with the reason code it must produce. */
export async function badInputs(): Promise<Record<string, BadInput>> {
  const jpeg = await portraitJpeg();
  const animated = await sharp([astronautPng(), coffeePng()].map((b) => b), { join: { animated: true } })
    .gif()
    .toBuffer()
    .catch(async () => sharp(astronautPng()).gif().toBuffer());
  const bigJunk = Buffer.alloc(60 * 1024 * 1024, 0x41);
  jpeg.copy(bigJunk, 0, 0, 64); // starts like a JPEG, 60 MB long
  return {
    empty: { bytes: Buffer.alloc(0), code: 'EMPTY_FILE' },
    text: { bytes: Buffer.from('这不是图片 — just some text\n'.repeat(20)), code: 'NOT_AN_IMAGE' },
    truncatedJpeg: { bytes: jpeg.subarray(0, Math.floor(jpeg.length / 2)), code: 'UNREADABLE' },
    pngBomb: { bytes: pngBomb(), code: 'TOO_LARGE' },
    animatedGif: { bytes: animated, code: 'ANIMATED_IMAGE' },
    svg: { bytes: Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="20000" height="20000"><circle r="5"/></svg>'), code: 'UNSUPPORTED_FORMAT' },
    heic: { bytes: Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypheic', 'ascii'), Buffer.from([0, 0, 0, 0]), Buffer.from('mif1heic', 'ascii'), Buffer.alloc(2000, 7)]), code: 'HEIC_NOT_SUPPORTED' },
    sixtyMegabytes: { bytes: bigJunk, code: 'TOO_LARGE' },
    garbageAfterJpegMagic: { bytes: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(5000, 0x13)]), code: 'UNREADABLE' },
  };
}

/** Inputs that look odd but are real photos: they must be checked normally (one face, ok). */
export async function oddButValid(): Promise<Record<string, Buffer>> {
  const src = astronautPng();
  return {
    png16bit: await sharp(src).toColourspace('rgb16').png().toBuffer(),
    cmykJpeg: await sharp(src).toColourspace('cmyk').jpeg().toBuffer(),
    pngWithAlpha: await sharp(src).ensureAlpha(0.9).png().toBuffer(),
    webp: await sharp(src).webp().toBuffer(),
    greyscale: await sharp(src).greyscale().jpeg().toBuffer(),
  };
}
