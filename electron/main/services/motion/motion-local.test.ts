// The local 微动态 renderer as the order flow sees it: a clip and a Live Photo pair, faces from the
// real on-device detector held still, and a cancel that means cancel.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeMedia } from '../../../../native/video/ffmpeg';
import { readAppleContentId } from '../../../../native/video/jpeg-apple-id';
import { greyFrames, meanDiff } from '../../../../native/video/testing/family-photo';
import { createChecksService } from '../checks';
import { createLocalMotionRenderer, livePhotoOrNull } from './local';
import { jobMaker, motionFixture, smallClipConfig, type MotionFixture } from '../../testing/motion';

let fx: MotionFixture;
const config = smallClipConfig;
const input = jobMaker(() => fx);

beforeAll(async () => {
  fx = await motionFixture();
}, 60_000);

afterAll(async () => {
  rmSync(fx.dir, { recursive: true, force: true });
});


describe('local renderer', () => {
  it('delivers an MP4 and a Live Photo pair, with progress up to 1', async () => {
    const r = createLocalMotionRenderer({ config: config({ provider: 'local' }) });
    const job = input();
    const out = await r.render(job);
    expect(out.provider).toBe('local');
    const p = await probeMedia(out.mp4Path);
    expect(p.streams[0]?.width).toBe(360);
    expect(p.durationSec).toBeCloseTo(5, 1);
    expect(out.livePhoto).not.toBeNull();
    expect(readAppleContentId(readFileSync(out.livePhoto!.jpgPath))).toBe(out.livePhoto!.assetId);
    expect(job.progress.at(-1)).toBe(1);
  });

  it('uses the default effect for an unknown effect name instead of failing', async () => {
    const r = createLocalMotionRenderer({ config: config({ provider: 'local', livePhoto: false }) });
    const out = await r.render(input({ effect: 'no-such-effect' }));
    expect(existsSync(out.mp4Path)).toBe(true);
    expect(out.livePhoto).toBeNull();
  });

  it('keeps the MP4 when the Live Photo pair cannot be made, but a cancel still cancels', async () => {
    const job = input();
    expect(await livePhotoOrNull(join(fx.dir, 'missing.mp4'), job)).toBeNull();
    const ac = new AbortController();
    ac.abort();
    await expect(livePhotoOrNull(join(fx.dir, 'missing.mp4'), input({ signal: ac.signal }))).rejects.toBeTruthy();
  });

  it('turns a cancel into MOTION_CANCELLED', async () => {
    const ac = new AbortController();
    const r = createLocalMotionRenderer({ config: config({ provider: 'local', local: { width: 1080 } }) });
    const job = input({ signal: ac.signal, onProgress: (f) => f > 0.2 && ac.abort() });
    await expect(r.render(job)).rejects.toMatchObject({ code: 'MOTION_CANCELLED', retryable: false });
  });
});

describe('with the on-device face detector', () => {
  it('keeps the faces found by the checks service still (their boxes, unchanged, drive the people layer)', async () => {
    const checks = createChecksService({ modelsDir: join(import.meta.dirname, '..', '..', '..', '..', 'models'), threads: 1 });
    try {
      const detected = await checks.detectFaces(readFileSync(fx.photo));
      expect(detected).toHaveLength(2);
      const r = createLocalMotionRenderer({ config: config({ provider: 'local', livePhoto: false, local: { width: 540 } }) });
      const out = await r.render(input({ faces: detected, effect: 'fireworks' }));
      const [first, last] = await greyFrames(out.mp4Path, [0, 124], 540, 720);
      const k = 540 / 1200; // the photo is 1200 px wide
      for (const f of detected) {
        const box = { x: f.x * k, y: f.y * k, w: f.w * k, h: f.h * k };
        expect(meanDiff(first as Buffer, last as Buffer, 540, box)).toBeLessThan(3);
      }
      expect(meanDiff(first as Buffer, last as Buffer, 540, { x: 0, y: 0, w: 540, h: 250 })).toBeGreaterThan(3);
    } finally {
      await checks.close();
    }
  });
});

