// What a customer would notice: a 5-s 1080-px H.264 clip whose faces do not move while the
// background does, progress that fills up, a frame grid to look at, and a Live Photo pair that
// carries one identifier in both files.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getEffect } from './effects';
import { probeMedia } from './ffmpeg';
import { writeFrameGrid } from './frame-grid';
import { readAppleContentId } from './jpeg-apple-id';
import { makeLivePhoto } from './live-photo';
import { renderLivingPhoto, type LivingPhotoResult } from './living-photo';
import { readStillImageTime } from './quicktime-still-time';
import { familyPhoto, greyFrames, meanDiff, moovBeforeMdat, type TestFace } from './testing/family-photo';

let dir: string;
let photo: string;
let faces: TestFace[];
let clip: LivingPhotoResult;
const progress: number[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'motion-test-'));
  photo = join(dir, 'family.jpg');
  faces = await familyPhoto(photo);
  clip = await renderLivingPhoto({
    imagePath: photo,
    faces,
    effect: getEffect('fireworks'),
    outPath: join(dir, 'out', 'clip.mp4'),
    tmpRoot: dir,
    onProgress: (f) => progress.push(f),
  });
}, 90_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('the living photo clip', () => {
  it('is a 5-s, 1080-px-wide H.264 yuv420p MP4 at 25 fps with the index up front', async () => {
    const p = await probeMedia(clip.path, { countFrames: true });
    const v = p.streams.find((s) => s.codecType === 'video');
    expect(p.formatName).toContain('mp4');
    expect(p.durationSec).toBeGreaterThan(4.9);
    expect(p.durationSec).toBeLessThan(5.1);
    expect(v?.codecName).toBe('h264');
    expect(v?.pixFmt).toBe('yuv420p');
    expect(v?.width).toBe(1080);
    expect(v?.height).toBe(1440); // 3:4 photo → 3:4 clip
    expect(v?.fps).toBe(25);
    expect(v?.frames).toBe(125); // decoded, not just the header's claim
    expect(p.streams.filter((s) => s.codecType === 'audio')).toHaveLength(0);
    // +faststart: a phone can start playing before the whole file has arrived.
    expect(moovBeforeMdat(readFileSync(clip.path))).toBe(true);
  });

  it('keeps the faces still while the background moves', async () => {
    const [first, mid, last] = await greyFrames(clip.path, [0, 62, 124], clip.width, clip.height);
    if (!first || !mid || !last) throw new Error('frames missing');
    expect(clip.faces).toHaveLength(2);
    for (const f of clip.faces) {
      expect(meanDiff(first, last, clip.width, f)).toBeLessThan(2.5);
      expect(meanDiff(first, mid, clip.width, f)).toBeLessThan(2.5);
    }
    // The sky above the people: fireworks and the slow zoom must change it visibly.
    const sky = { x: 0, y: 0, w: clip.width, h: clip.height * 0.4 };
    expect(meanDiff(first, last, clip.width, sky)).toBeGreaterThan(4);
    expect(meanDiff(first, mid, clip.width, sky)).toBeGreaterThan(4);
  });

  it('reports progress from 0 to 1, in order', () => {
    expect(progress[0]).toBe(0);
    expect(progress.at(-1)).toBe(1);
    expect(progress.length).toBeGreaterThan(5);
    for (let i = 1; i < progress.length; i++) expect(progress[i]).toBeGreaterThanOrEqual(progress[i - 1] as number);
  });

  it('leaves no temp files behind', () => {
    expect(readdirSync(dir).filter((f) => f.startsWith('living-photo-'))).toEqual([]);
  });

  it('writes a frame grid for review', async () => {
    const out = resolve('test-results/motion');
    mkdirSync(out, { recursive: true });
    const grid = await writeFrameGrid(clip.path, join(out, 'fireworks-grid.png'));
    const meta = await sharp(grid).metadata();
    expect(meta.width).toBeGreaterThan(1000);
    console.log(`frame grid of the fireworks clip: ${grid}`);
  });
});

describe('the Live Photo pair', () => {
  it('carries the same asset identifier in the JPEG maker note and the MOV, plus a still-image-time track', async () => {
    const pair = await makeLivePhoto({ mp4Path: clip.path, stillPath: photo, outDir: join(dir, 'live'), baseName: 'IMG_0001', tmpRoot: dir });
    expect(pair.assetId).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);
    expect(readAppleContentId(readFileSync(pair.jpgPath))).toBe(pair.assetId);

    const mov = await probeMedia(pair.movPath, { countFrames: true });
    expect(mov.formatName).toContain('mov');
    expect(mov.tags['com.apple.quicktime.content.identifier']).toBe(pair.assetId);
    const data = mov.streams.find((s) => s.codecType === 'data');
    expect(data?.codecTag).toBe('mebx');
    const video = mov.streams.find((s) => s.codecType === 'video');
    expect(video?.codecName).toBe('h264');
    expect(video?.frames).toBe(125);
    expect(readStillImageTime(readFileSync(pair.movPath))).toEqual({ key: 'com.apple.quicktime.still-image-time', value: -1, timeSec: 0 });

    const still = await sharp(pair.jpgPath).metadata();
    expect([still.width, still.height]).toEqual([video?.width, video?.height]);
    expect(readdirSync(dir).filter((f) => f.startsWith('live-photo-'))).toEqual([]);
  });

  it('places the still moment where asked', async () => {
    const pair = await makeLivePhoto({ mp4Path: clip.path, stillPath: photo, outDir: join(dir, 'live2'), baseName: 'IMG_0002', stillTimeSec: 1.5, tmpRoot: dir });
    expect(readStillImageTime(readFileSync(pair.movPath))?.timeSec).toBeCloseTo(1.5, 2);
  });

  it('finds no identifier in an ordinary JPEG or in garbage', async () => {
    expect(readAppleContentId(await sharp(photo).jpeg().toBuffer())).toBeNull();
    expect(readAppleContentId(Buffer.from('not a jpeg'))).toBeNull();
    expect(readStillImageTime(Buffer.from('not a movie at all'))).toBeNull();
  });
});
