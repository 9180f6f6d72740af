// Cancel, time limit and bad input: ffmpeg never outlives the job and no temp file stays behind.
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getEffect } from './effects';
import { VideoError } from './errors';
import { ffmpegBinaries } from './ffmpeg';
import { renderLivingPhoto, type LivingPhotoOptions } from './living-photo';
import { familyPhoto, ffmpegProcessesMentioning, type TestFace } from './testing/family-photo';

let dir: string;
let photo: string;
let faces: TestFace[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'motion-control-'));
  photo = join(dir, 'family.jpg');
  faces = await familyPhoto(photo);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const small = (extra: Partial<LivingPhotoOptions>): LivingPhotoOptions => ({
  imagePath: photo,
  faces,
  effect: getEffect('snow'),
  outPath: join(dir, 'small', `${Math.random().toString(36).slice(2)}.mp4`),
  width: 360,
  ...extra,
});

describe('cancel, time limit and bad input', () => {
  it('cancel kills ffmpeg and removes every temp file', async () => {
    const root = mkdtempSync(join(dir, 'cancel-'));
    const ac = new AbortController();
    const job = renderLivingPhoto(
      small({
        width: 1080,
        tmpRoot: root,
        outPath: join(root, 'never.mp4'),
        signal: ac.signal,
        onProgress: (f) => {
          if (f > 0.15) ac.abort();
        },
      }),
    );
    await expect(job).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(readdirSync(root)).toEqual([]);
    // SIGKILL is delivered at once; give the kernel a moment to reap.
    await new Promise((r) => setTimeout(r, 200));
    expect(await ffmpegProcessesMentioning(root)).toEqual([]);
  });

  it('stops at the time limit with TIMEOUT and cleans up', async () => {
    const root = mkdtempSync(join(dir, 'timeout-'));
    const job = renderLivingPhoto(small({ tmpRoot: root, outPath: join(root, 'never.mp4'), width: 1080, timeoutMs: 1_200 }));
    await expect(job).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(readdirSync(root)).toEqual([]);
    await new Promise((r) => setTimeout(r, 200));
    expect(await ffmpegProcessesMentioning(root)).toEqual([]);
  });

  it('an already-aborted signal never starts ffmpeg', async () => {
    const root = mkdtempSync(join(dir, 'aborted-'));
    const ac = new AbortController();
    ac.abort();
    await expect(renderLivingPhoto(small({ signal: ac.signal, tmpRoot: root }))).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(readdirSync(root)).toEqual([]);
  });

  it('rejects an unreadable photo as BAD_INPUT without leaving files', async () => {
    const root = mkdtempSync(join(dir, 'bad-'));
    const bad = join(root, 'x.jpg');
    writeFileSync(bad, 'definitely not an image');
    await expect(renderLivingPhoto(small({ imagePath: bad, tmpRoot: root }))).rejects.toMatchObject({ code: 'BAD_INPUT' });
    expect(readdirSync(root)).toEqual(['x.jpg']);
  });

  it('renders a photo without usable faces and ignores nonsense boxes', async () => {
    const out = join(dir, 'small', 'nofaces.mp4');
    const r = await renderLivingPhoto(
      small({ faces: [{ x: Number.NaN, y: 0, w: 10, h: 10 }, { x: 99999, y: 99999, w: 50, h: 50 }], outPath: out, effect: getEffect('lanterns') }),
    );
    expect(r.faces).toEqual([]);
    expect(r.width).toBe(360);
    expect(existsSync(out)).toBe(true);
  });

  it('reports a missing ffmpeg as FFMPEG_MISSING', () => {
    expect(() => ffmpegBinaries({ PATH: '/nonexistent' })).toThrow(VideoError);
    expect(() => ffmpegBinaries({ PATH: '/nonexistent', FFMPEG_PATH: '/nonexistent/ffmpeg' })).toThrow(/ffmpeg not found/);
    expect(ffmpegBinaries({ PATH: '/nonexistent', FFMPEG_PATH: ffmpegBinaries().ffmpeg }).ffprobe).toMatch(/ffprobe$/);
  });
});
