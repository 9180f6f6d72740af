import { describe, expect, it } from 'vitest';
import type { FaceBox } from '../../../shared/contract';
import { createQualityGate } from './qualityGate';

const box = (side: number, score = 0.9): FaceBox => ({ x: 10, y: 10, w: side, h: side, score });
/** The image bytes name the faces the fake detector "sees", so each case is explicit. */
const detector = async (img: Buffer): Promise<FaceBox[]> => JSON.parse(img.toString()) as FaceBox[];
const img = (faces: FaceBox[]) => Buffer.from(JSON.stringify(faces));
const family = { faces: 3, minFacePx: 200 };

describe('quality gate', () => {
  const gate = createQualityGate(detector);

  it('accepts a picture with the whole family at a usable size', async () => {
    expect(await gate(img([box(150), box(180), box(90)]), family)).toEqual({ ok: true });
  });

  it('rejects a picture where someone is missing or a stranger appeared', async () => {
    expect(await gate(img([box(150), box(150)]), family)).toMatchObject({ ok: false, reason: expect.stringMatching(/^FACE_COUNT 2≠3/) });
    expect(await gate(img([box(150), box(150), box(150), box(150)]), family)).toMatchObject({ ok: false });
  });

  it('rejects a picture without any face (a melted or hidden face)', async () => {
    expect(await gate(img([]), family)).toEqual({ ok: false, reason: 'NO_FACE' });
    // low-confidence blobs are not faces
    expect(await gate(img([box(150, 0.2), box(150, 0.3), box(150, 0.1)]), family)).toEqual({ ok: false, reason: 'NO_FACE' });
  });

  it('rejects faces much smaller than in the input', async () => {
    expect((await gate(img([box(150), box(150), box(45)]), family)).reason).toMatch(/^FACE_TOO_SMALL 45<60px/);
    // and tiny faces whatever the input looked like
    expect((await gate(img([box(30)]), { faces: 1, minFacePx: 80 })).ok).toBe(false);
  });

  it('passes the detector error on, so runVariants can treat it as a rejection', async () => {
    const broken = createQualityGate(async () => {
      throw new Error('model missing');
    });
    await expect(broken(img([]), family)).rejects.toThrow('model missing');
  });
});
