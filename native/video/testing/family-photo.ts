// Test support: a synthetic "family photo" with known face boxes, and frame comparison helpers.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { ffmpegBinaries } from '../ffmpeg';
import { atoms } from '../quicktime-still-time';

const run = promisify(execFile);
import { ASTRONAUT } from '../../../fixtures/paths';

export { ASTRONAUT };
// The astronaut's face in the 512×512 fixture, measured by eye; the family photo places two copies.
const FACE = { x: 175, y: 75, w: 95, h: 110 };

export type TestFace = { x: number; y: number; w: number; h: number; score: number };

/** A 1200×1600 "family photo": a warm gradient with two people side by side; returns their face boxes. */
export async function familyPhoto(path: string): Promise<TestFace[]> {
  const person = await sharp(ASTRONAUT).resize(480, 480).png().toBuffer();
  const bg = Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="1600"><defs><linearGradient id="g" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="#6b0f14"/><stop offset="0.6" stop-color="#c8553d"/><stop offset="1" stop-color="#f3c98b"/></linearGradient></defs>
      <rect width="1200" height="1600" fill="url(#g)"/>
      ${Array.from({ length: 40 }, (_, i) => `<circle cx="${(i * 137) % 1200}" cy="${(i * 211) % 700}" r="${6 + (i % 5) * 3}" fill="#ffd27a" opacity="0.5"/>`).join('')}
    </svg>`,
  );
  const at = [
    { left: 90, top: 820 },
    { left: 630, top: 860 },
  ];
  await sharp(bg)
    .composite(at.map((p) => ({ input: person, ...p })))
    .jpeg({ quality: 92 })
    .toFile(path);
  const k = 480 / 512;
  return at.map((p) => ({ x: p.left + FACE.x * k, y: p.top + FACE.y * k, w: FACE.w * k, h: FACE.h * k, score: 0.95 }));
}

/** Frames n of a clip as 8-bit grey planes. */
export async function greyFrames(path: string, ns: number[], w: number, h: number): Promise<Buffer[]> {
  const sel = ns.map((n) => `eq(n\\,${n})`).join('+');
  const { stdout } = await run(
    ffmpegBinaries().ffmpeg,
    ['-v', 'error', '-i', path, '-vf', `select='${sel}'`, '-vsync', '0', '-f', 'rawvideo', '-pix_fmt', 'gray', '-'],
    { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 },
  );
  return ns.map((_, i) => stdout.subarray(i * w * h, (i + 1) * w * h));
}

/** Mean absolute difference (0..255) of two grey frames inside a box. */
export function meanDiff(a: Buffer, b: Buffer, w: number, box: { x: number; y: number; w: number; h: number }): number {
  let sum = 0;
  let n = 0;
  for (let y = Math.round(box.y); y < Math.round(box.y + box.h); y++) {
    for (let x = Math.round(box.x); x < Math.round(box.x + box.w); x++) {
      sum += Math.abs((a[y * w + x] ?? 0) - (b[y * w + x] ?? 0));
      n++;
    }
  }
  return sum / Math.max(1, n);
}

export function moovBeforeMdat(file: Buffer): boolean {
  const types = atoms(file).map((a) => a.type);
  return types.includes('moov') && types.indexOf('moov') < types.indexOf('mdat');
}

/** Command lines of running ffmpeg processes that mention `marker` (a unique temp dir). */
export function ffmpegProcessesMentioning(marker: string): Promise<string[]> {
  return run('ps', ['-eo', 'args']).then(({ stdout }) => stdout.split('\n').filter((l) => l.includes(marker) && l.includes('ffmpeg')));
}
