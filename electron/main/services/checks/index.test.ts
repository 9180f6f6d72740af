// ChecksService as the rest of the main process uses it: worker-backed, never throws for bad
// input, compressed JPEG handed back, live frames coalesced so a fast camera never queues up.
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import * as F from '../../../../bench/fixtures-faces';
import { createChecksService } from './index';

process.env.KIOSK_LOG_QUIET = '1';
const modelsDir = join(import.meta.dirname, '..', '..', '..', '..', 'models');
const checks = createChecksService({ modelsDir, threads: 1 });
afterAll(() => checks.close());

describe('ChecksService', () => {
  it('checks a photo: one face, ok, and a metadata-free JPEG under 2 MB', async () => {
    const out = await checks.checkPhoto(await F.portraitWithGps());
    expect(out.ok).toBe(true);
    expect(out.faces).toHaveLength(1);
    expect([out.width, out.height]).toEqual([512, 512]);
    expect(Buffer.isBuffer(out.jpeg)).toBe(true);
    expect(out.jpeg!.length).toBeLessThanOrEqual(2 * 1024 * 1024);
    const meta = await sharp(out.jpeg!).metadata();
    expect(meta.format).toBe('jpeg');
    expect(meta.exif).toBeUndefined();
  });

  it('returns reasons instead of throwing for bad input, and the caller keeps its buffer', async () => {
    const junk = Buffer.from('definitely not a photo');
    const out = await checks.checkPhoto(junk);
    expect(out).toMatchObject({ ok: false, faces: [], jpeg: null, reasons: [{ code: 'NOT_AN_IMAGE' }] });
    expect(junk.toString()).toBe('definitely not a photo'); // not detached by the transfer
  });

  it('applies per-call thresholds', async () => {
    const out = await checks.checkPhoto(await F.portraitJpeg(), { minFacePx: 150 });
    expect(out.reasons.map((r) => r.code)).toEqual(['FACE_TOO_SMALL']);
  });

  it('detectFaces serves the quality gate, and throws a typed failure on garbage', async () => {
    expect(await checks.detectFaces(F.astronautPng())).toHaveLength(1);
    expect(await checks.detectFaces(F.coffeePng())).toEqual([]);
    await expect(checks.detectFaces(Buffer.alloc(10))).rejects.toMatchObject({ name: 'KioskFailure', code: 'NOT_AN_IMAGE' });
  });

  it('coalesces a burst of live frames: every caller answered with the newest frame', async () => {
    const person = await F.previewFrame(1, 200);
    const empty = await sharp(F.coffeePng()).resize(320).jpeg().toBuffer();
    // Ten frames at once; the last shows nobody. Those still waiting when it arrives share its answer.
    const answers = await Promise.all([...Array.from({ length: 9 }, () => checks.guideFrame(person)), checks.guideFrame(empty)]);
    expect(answers[0]).toMatchObject({ faces: 1, hint: 'OK' });
    expect(answers[9]).toMatchObject({ faces: 0, hint: 'NO_FACE' });
    expect(answers.slice(1).every((a) => a.hint === 'NO_FACE')).toBe(true);
  });
});

describe('ChecksService when the model is missing', () => {
  it('answers every call with MODEL_UNAVAILABLE instead of hanging', async () => {
    const broken = createChecksService({ modelsDir: join(import.meta.dirname, 'no-such-models-dir') });
    try {
      const out = await broken.checkPhoto(F.astronautPng());
      expect(out).toMatchObject({ ok: false, reasons: [{ code: 'MODEL_UNAVAILABLE' }] });
      expect(await broken.guideFrame(F.astronautPng())).toMatchObject({ faces: 0, hint: 'UNAVAILABLE' });
    } finally {
      await broken.close();
    }
  });
});
