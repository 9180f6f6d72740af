// The automatic check every generated variant passes before a customer sees it: the same on-device
// face detector as the capture checks, compared with the family in the input photos. An AI result
// with a person missing, an extra stranger, or a melted face is dropped (and re-requested by runVariants).
import type { FaceBox } from '../../../shared/contract';
import type { VariantGate } from './variants';

export interface QualityGateOptions {
  /** A result face smaller than this share of the family's smallest input face counts as "much smaller". Default 0.3. */
  minSizeRatio?: number;
  /** Absolute floor for a face side in the result, in pixels (a face the printer turns into mush). Default 40. */
  minFacePx?: number;
  /** Detections below this confidence are not counted as faces. Default 0.6. */
  minScore?: number;
}

export function createQualityGate(detectFaces: (img: Buffer) => Promise<FaceBox[]>, options: QualityGateOptions = {}): VariantGate {
  const minSizeRatio = options.minSizeRatio ?? 0.3;
  const floor = options.minFacePx ?? 40;
  const minScore = options.minScore ?? 0.6;
  return async (image, family) => {
    const faces = (await detectFaces(image)).filter((f) => f.score >= minScore);
    if (faces.length === 0) return { ok: false, reason: 'NO_FACE' };
    if (family.faces > 0 && faces.length !== family.faces) {
      return { ok: false, reason: `FACE_COUNT ${faces.length}≠${family.faces}` };
    }
    const threshold = Math.max(floor, family.minFacePx * minSizeRatio);
    const smallest = Math.min(...faces.map((f) => Math.min(f.w, f.h)));
    if (smallest < threshold) return { ok: false, reason: `FACE_TOO_SMALL ${Math.round(smallest)}<${Math.round(threshold)}px` };
    return { ok: true };
  };
}
