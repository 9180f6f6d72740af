import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import * as F from '../../bench/fixtures-faces';
import { compressPhoto, DEFAULT_COMPRESS, uploadLongSide } from './compress';
import { probeImage } from './decode';
import { sniffFormat } from './sniff';

describe('compression for the AI upload', () => {
  it('applies EXIF orientation and strips every metadata block, GPS included', async () => {
    const rotated = await F.exifRotatedPortrait(800);
    const out = await compressPhoto(rotated);
    const meta = await sharp(out.jpeg).metadata();
    expect(meta.orientation).toBeUndefined();
    expect([meta.width, meta.height]).toEqual([800, 800]);
    // Upright: the same pixels as the upright original, not the sideways-stored ones.
    const grey = async (b: Buffer): Promise<Buffer> => sharp(b).resize(64, 64).greyscale().raw().toBuffer();
    const diff = (a: Buffer, b: Buffer): number => a.reduce((s, v, i) => s + Math.abs(v - b[i]!), 0) / a.length;
    const upright = await grey(await sharp(F.astronautPng()).resize(800).png().toBuffer());
    const got = await grey(out.jpeg);
    const sideways = await grey(await sharp(F.astronautPng()).resize(800).rotate(-90).png().toBuffer());
    expect(diff(got, upright)).toBeLessThan(6);
    expect(diff(got, sideways)).toBeGreaterThan(20);
    const gps = await compressPhoto(await F.portraitWithGps());
    const g = await sharp(gps.jpeg).metadata();
    expect(g.exif).toBeUndefined();
    expect(g.xmp).toBeUndefined();
    expect(g.icc).toBeUndefined();
    expect(gps.jpeg.includes(Buffer.from('KioskCam'))).toBe(false);
  });

  it('converts CMYK and 16-bit input to 8-bit sRGB', async () => {
    const odd = await F.oddButValid();
    for (const key of ['cmykJpeg', 'png16bit'] as const) {
      const meta = await sharp((await compressPhoto(odd[key]!)).jpeg).metadata();
      expect({ key, space: meta.space, channels: meta.channels, depth: meta.depth }).toEqual({ key, space: 'srgb', channels: 3, depth: 'uchar' });
    }
  });

  it('caps the long side, decoding at half scale when that lands near the cap, and never upscales', async () => {
    expect(uploadLongSide(4000, 2560)).toBe(2000);
    expect(uploadLongSide(6000, 2560)).toBe(2560);
    expect(uploadLongSide(2600, 2560)).toBe(2560);
    expect(uploadLongSide(512, 2560)).toBe(512);
    const small = await compressPhoto(F.astronautPng(), DEFAULT_COMPRESS, undefined, 512);
    expect([small.width, small.height]).toEqual([512, 512]);
    const wide = await sharp({ create: { width: 5400, height: 2000, channels: 3, background: '#c33' } }).jpeg().toBuffer();
    const capped = await compressPhoto(wide, DEFAULT_COMPRESS, undefined, 5400);
    expect(Math.max(capped.width, capped.height)).toBe(2560);
  });

  it('lowers the quality until the file fits 2 MB, even for pure noise', async () => {
    const noise = await sharp({ create: { width: 2560, height: 1920, channels: 3, background: '#888', noise: { type: 'gaussian', mean: 128, sigma: 60 } } })
      .png({ compressionLevel: 0 })
      .toBuffer();
    const out = await compressPhoto(noise);
    expect(out.jpeg.length).toBeLessThanOrEqual(2 * 1024 * 1024);
    expect(out.quality).toBeLessThan(88);
  });
});

describe('format sniffing and header checks', () => {
  it('knows images by their bytes, not their names', async () => {
    expect(sniffFormat(F.astronautPng())).toBe('png');
    expect(sniffFormat(await F.portraitJpeg())).toBe('jpeg');
    expect(sniffFormat(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBe('svg');
    expect(sniffFormat(Buffer.from('\uFEFF<?xml version="1.0"?><!-- x --><svg>'))).toBe('svg');
    expect(sniffFormat(Buffer.from('hello'))).toBe('unknown');
    expect(sniffFormat(Buffer.alloc(0))).toBe('unknown');
  });

  it('refuses a decompression bomb from its header, before decoding', async () => {
    // Refused on the header's dimensions (libvips' pixel limit, or ours), never inflated.
    await expect(probeImage(F.pngBomb())).rejects.toMatchObject({ code: 'TOO_LARGE', detail: expect.stringMatching(/pixel limit|30000x30000/) });
  });

  it('reports the upright size of an EXIF-rotated photo', async () => {
    const img = await sharp(F.astronautPng()).resize(600, 300, { fit: 'fill' }).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    expect(await probeImage(img)).toMatchObject({ width: 300, height: 600, orientation: 6, format: 'jpeg' });
  });
});
