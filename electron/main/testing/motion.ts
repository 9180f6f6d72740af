// Shared set-up of the motion service tests (used only by *.test.ts): a family photo with its
// face boxes, small-clip settings that keep the suite quick, and a job builder.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { familyPhoto, type TestFace } from '../../../native/video/testing/family-photo';
import { MotionConfig } from '../services/motion/config';
import type { MotionInput } from '../services/motion/types';

export interface MotionFixture {
  dir: string;
  photo: string;
  faces: TestFace[];
}

export async function motionFixture(): Promise<MotionFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'motion-svc-'));
  const photo = join(dir, 'family.jpg');
  return { dir, photo, faces: await familyPhoto(photo) };
}

/** Small local clips keep the suite quick; the full-size clip is covered in native/video. */
export const smallClipConfig = (over: Record<string, unknown> = {}): MotionConfig =>
  MotionConfig.parse({ provider: 'jimeng', local: { width: 360 }, jimeng: { budgetMs: 20_000 }, ...over });

/** A job per call, each in its own output folder, recording its progress reports. */
export function jobMaker(fixture: () => MotionFixture): (extra?: Partial<MotionInput>) => MotionInput & { progress: number[] } {
  let n = 0;
  return (extra = {}) => {
    const fx = fixture();
    const progress: number[] = [];
    n++;
    return {
      imagePath: fx.photo,
      faces: fx.faces,
      effect: 'snow',
      outDir: join(fx.dir, `order-${n}`),
      signal: new AbortController().signal,
      orderId: `O${n}`,
      onProgress: (f) => progress.push(f),
      progress,
      ...extra,
    };
  };
}
