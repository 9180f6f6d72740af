// Big JPEGs decoded at 1/2, 1/4, 1/8 through a scratch file must give what decoding from memory
// gives (size, orientation, colours, failures), leave nothing on disk and keep no metadata there.
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as F from '../../bench/fixtures-faces';
import { decodeRgb, DEFAULT_LIMITS, probeImage, type RgbTarget } from './decode';
import { InputFailure } from './failures';
import { jpegForDecoding, jpegShrinkFor, ScaledLoads, ScratchFiles } from './scaled-load';
import type { RgbImage } from '../face/tensor';

const dirs: string[] = [];
function scratch(name = 'scratch'): string {
  const d = mkdtempSync(join(tmpdir(), 'scaled-load-test-'));
  dirs.push(d);
  return join(d, name);
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A 2400×1600 JPEG with a picture that looks different in every orientation, stored with EXIF `orientation`. */
async function photo(orientation = 1, extra: (s: sharp.Sharp) => sharp.Sharp = (s) => s): Promise<Buffer> {
  const base = sharp(F.astronautPng()).resize(1600, 1600).extend({ left: 800, background: '#2a6' });
  return extra(sharp(await base.jpeg({ quality: 90 }).toBuffer()).withMetadata({ orientation })).jpeg({ quality: 90 }).toBuffer();
}

/** A file in the scratch directory, last written `ageMs` ago. */
function plant(dir: string, name: string, ageMs: number): void {
  const file = join(dir, name);
  writeFileSync(file, 'x');
  const at = new Date(Date.now() - ageMs);
  utimesSync(file, at, at);
}

const target: RgbTarget = { long: 600, kernel: 'linear', background: '#808080' };

function meanAbsDiff(a: RgbImage, b: RgbImage): number {
  expect([a.width, a.height, a.channels]).toEqual([b.width, b.height, b.channels]);
  let s = 0;
  for (let i = 0; i < a.data.length; i++) s += Math.abs(a.data[i]! - b.data[i]!);
  return s / a.data.length;
}

async function decodeBoth(buf: Buffer, loads: ScaledLoads) {
  const probe = await probeImage(buf);
  const fromMemory = await decodeRgb(buf, probe, target, DEFAULT_LIMITS);
  const fromFile = await decodeRgb(buf, probe, target, DEFAULT_LIMITS, loads);
  return { fromMemory, fromFile };
}

describe('the JPEG written for a scaled decode', () => {
  it('keeps the image data and the orientation, and nothing else of the metadata (GPS, camera, comments)', async () => {
    const original = await sharp(await F.portraitWithGps())
      .withMetadata({ orientation: 6 })
      .withExif({ IFD0: { Make: 'KioskCam', ImageDescription: 'secret' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '39/1 54/1 2/1' } })
      .jpeg()
      .toBuffer();
    expect((await sharp(original).metadata()).exif).toBeDefined();
    const stripped = jpegForDecoding(original, 6)!;
    const meta = await sharp(stripped).metadata();
    expect(meta.orientation).toBe(6);
    expect(meta.exif!.length).toBeLessThan(40); // the orientation tag alone
    expect(Buffer.from(stripped).includes('KioskCam')).toBe(false);
    expect(Buffer.from(stripped).includes('GPS')).toBe(false);
    expect(Buffer.from(stripped).includes('secret')).toBe(false);
    // Same pixels, bit for bit, as the file they came from.
    const a = await sharp(original).raw().toBuffer();
    const b = await sharp(stripped).raw().toBuffer();
    expect(b.equals(a)).toBe(true);
    expect((await sharp(jpegForDecoding(original, 1)!).metadata()).orientation).toBeUndefined();
  });

  it('drops what follows the image (extra pictures of a phone, with their own metadata)', async () => {
    const main = await sharp(F.astronautPng()).jpeg().toBuffer();
    const extra = await sharp(F.coffeePng()).withExif({ IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '39/1 54/1 2/1' } }).jpeg().toBuffer();
    const both = Buffer.concat([main, extra]);
    const stripped = Buffer.from(jpegForDecoding(both, 1)!);
    expect(stripped.length).toBeLessThan(main.length + 40);
    expect(stripped.includes('GPS')).toBe(false);
    expect(stripped.subarray(-2)).toEqual(Buffer.from([0xff, 0xd9]));
    expect((await sharp(stripped).raw().toBuffer()).equals(await sharp(main).raw().toBuffer())).toBe(true);
  });

  it('refuses what is not a well-formed JPEG header instead of guessing', () => {
    expect(jpegForDecoding(F.astronautPng(), 1)).toBeNull();
    expect(jpegForDecoding(Uint8Array.from([0xff, 0xd8, 0xff, 0xe1, 0x40, 0x00, 1, 2, 3]), 1)).toBeNull(); // segment runs past the end
    expect(jpegForDecoding(Uint8Array.from([0xff, 0xd8, 0x12, 0x34, 0x56]), 1)).toBeNull();
  });

  it('picks the largest libjpeg scale that keeps the asked long side', () => {
    expect(jpegShrinkFor(4000, 2000)).toBe(2);
    expect(jpegShrinkFor(4000, 1000)).toBe(4);
    expect(jpegShrinkFor(4001, 1001)).toBe(4);
    expect(jpegShrinkFor(4000, 1001)).toBe(2);
    expect(jpegShrinkFor(12000, 1000)).toBe(8);
    expect(jpegShrinkFor(1920, 1920)).toBe(1);
  });
});

describe('decoding a big JPEG at reduced scale from a scratch file', () => {
  it('gives the same upright picture as decoding from memory, in all eight EXIF orientations', async () => {
    const loads = new ScaledLoads(new ScratchFiles(scratch()));
    for (let o = 1; o <= 8; o++) {
      const { fromMemory, fromFile } = await decodeBoth(await photo(o), loads);
      expect({ o, size: [fromFile.width, fromFile.height] }).toEqual({ o, size: o >= 5 ? [400, 600] : [600, 400] });
      // libjpeg's scaled IDCT and a full decode + linear reduce differ by a few levels, not by a turned picture.
      expect({ o, diff: meanAbsDiff(fromFile, fromMemory) < 4 }).toEqual({ o, diff: true });
    }
    expect(loads.enabled).toBe(true);
  });

  it('keeps CMYK colours (the Adobe segment stays)', async () => {
    const cmyk = await photo(1, (s) => s.toColourspace('cmyk'));
    const { fromMemory, fromFile } = await decodeBoth(cmyk, new ScaledLoads(new ScratchFiles(scratch())));
    expect(meanAbsDiff(fromFile, fromMemory)).toBeLessThan(4);
  });

  it('leaves no file behind, and two decodes of the same photo at once write it once', async () => {
    const dir = scratch();
    let writes = 0;
    class Counting extends ScratchFiles {
      override with<T>(bytes: Uint8Array, use: (path: string) => Promise<T>): Promise<T> {
        writes++;
        return super.with(bytes, use);
      }
    }
    const loads = new ScaledLoads(new Counting(dir));
    const buf = await photo(6);
    const probe = await probeImage(buf);
    const [a, b] = await Promise.all([
      decodeRgb(buf, probe, target, DEFAULT_LIMITS, loads),
      decodeRgb(buf, probe, { long: 1200, kernel: 'lanczos3', background: '#ffffff' }, DEFAULT_LIMITS, loads),
    ]);
    expect([a.width, b.width]).toEqual([400, 800]);
    expect(writes).toBe(1);
    expect(readdirSync(dir)).toEqual([]);
    await decodeRgb(buf, probe, target, DEFAULT_LIMITS, loads);
    expect(writes).toBe(2);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('reports a truncated big JPEG as unreadable, like the memory path, and stays on', async () => {
    const full = await photo(1);
    const truncated = full.subarray(0, Math.floor(full.length * 0.6));
    const loads = new ScaledLoads(new ScratchFiles(scratch()));
    const probe = await probeImage(truncated);
    const err = await decodeRgb(truncated, probe, target, DEFAULT_LIMITS, loads).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputFailure);
    expect((err as InputFailure).code).toBe('UNREADABLE');
    expect(loads.enabled).toBe(true);
  });

  it('falls back to memory, and stays there, when this platform cannot load from the file', async () => {
    class Broken extends ScratchFiles {
      override with<T>(_bytes: Uint8Array, use: (path: string) => Promise<T>): Promise<T> {
        return use(join(this.dir, 'missing.jpg'));
      }
    }
    const loads = new ScaledLoads(new Broken(scratch()));
    const { fromMemory, fromFile } = await decodeBoth(await photo(3), loads);
    expect(meanAbsDiff(fromFile, fromMemory)).toBe(0);
    expect(loads.enabled).toBe(false);
    expect(loads.disabledBecause).toBeTruthy();
  });

  it('is off when the scratch directory has brackets (libvips would read them as options) or cannot be made', async () => {
    const bracketed = new ScaledLoads(new ScratchFiles(scratch('a[1]')));
    expect(bracketed.enabled).toBe(false);
    const file = scratch('plain-file');
    writeFileSync(file, 'x');
    const blocked = new ScaledLoads(new ScratchFiles(join(file, 'sub')));
    expect(blocked.enabled).toBe(false);
    const { fromMemory, fromFile } = await decodeBoth(await photo(1), blocked);
    expect(meanAbsDiff(fromFile, fromMemory)).toBe(0);
  });

  it('will not write into a planted link, and closes an open directory to other users', () => {
    const target = scratch('elsewhere');
    mkdirSync(target);
    const link = scratch('link');
    symlinkSync(target, link);
    expect(new ScaledLoads(new ScratchFiles(link)).enabled).toBe(false);
    const open = scratch('open');
    mkdirSync(open, { mode: 0o777 });
    chmodSync(open, 0o777);
    expect(new ScaledLoads(new ScratchFiles(open)).enabled).toBe(true);
    if (process.platform !== 'win32') expect(statSync(open).mode & 0o777).toBe(0o700);
  });

  it('sweeps leftovers of a checker that died mid-decode, and nothing else', () => {
    const dir = scratch();
    new ScratchFiles(dir).prepare();
    plant(dir, 'decode-1-abc.jpg', 120_000);
    plant(dir, 'decode-2-def.jpg', 0);
    plant(dir, 'notes.txt', 120_000);
    new ScratchFiles(dir).prepare();
    expect(readdirSync(dir).sort()).toEqual(['decode-2-def.jpg', 'notes.txt']);
  });

  it('sweeps every minute while a checker runs, also with no photo coming', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    try {
      const dir = scratch();
      const files = new ScratchFiles(dir);
      files.prepare();
      plant(dir, 'decode-7-dead.jpg', 120_000);
      vi.advanceTimersByTime(59_000);
      expect(readdirSync(dir)).toEqual(['decode-7-dead.jpg']);
      vi.advanceTimersByTime(2_000);
      expect(readdirSync(dir)).toEqual([]);
      files.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it('also sweeps, at most once a minute, while a checker runs (a terminated decode never cleaned up)', async () => {
    const dir = scratch();
    const files = new ScratchFiles(dir);
    files.prepare();
    plant(dir, 'decode-9-dead.jpg', 120_000);
    await files.with(Uint8Array.from([1, 2, 3]), async () => undefined);
    expect(readdirSync(dir)).toEqual(['decode-9-dead.jpg']); // swept by prepare() just now: not again yet
    files.sweep(Date.now() - 61_000); // as if the last sweep was over a minute ago
    await files.with(Uint8Array.from([1, 2, 3]), async () => undefined);
    expect(readdirSync(dir)).toEqual([]);
  });
});
