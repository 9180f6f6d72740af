// The product's quality rules: each failed rule becomes one reason (stable code + Chinese text a
// grandmother understands). Thresholds are settings; defaults come from the product plan.
import type { Detection } from './decode';
import { headCutOff, plausibleFace, turnAmount } from './quality';

export interface RuleThresholds {
  minFaces: number;
  maxFaces: number;
  /** Smaller side of each face box, in original pixels. */
  minFacePx: number;
  minScore: number;
  /** Normalised Laplacian variance of the face crop (see quality.sharpness). */
  minSharpness: number;
  /** Mean luma (0–255) of the faces. */
  minLuma: number;
  maxLuma: number;
  /** 0 facing the camera … 1 profile (see quality.turnAmount). */
  maxTurn: number;
}

export const DEFAULT_RULES: RuleThresholds = {
  minFaces: 1,
  maxFaces: 5,
  minFacePx: 80,
  minScore: 0.7,
  minSharpness: 12,
  minLuma: 55,
  maxLuma: 225,
  maxTurn: 0.4,
};

/** Detections between these and minScore explain a failure but are never counted as people. */
export const WEAK_FLOOR = 0.65;
export const CUT_FLOOR = 0.4;

export interface Reason {
  code: string;
  message: string;
}

export interface FaceMeasure {
  det: Detection;
  sharpness: number;
  luma: number;
}

export interface RuleInput {
  width: number;
  height: number;
  /** All detections above the detector's floor, in original pixels. */
  detections: Detection[];
  /** Measures for the detections the rules look at (same objects as in `detections`). */
  measure(det: Detection): FaceMeasure;
  /** Mean luma of the whole image, used when no face is found. */
  imageLuma: number;
}

export interface RuleOutcome {
  faces: Detection[];
  reasons: Reason[];
}

export function countedFaces(dets: Detection[], minScore: number): Detection[] {
  return dets.filter((d) => d.score >= minScore && plausibleFace(d));
}

export function applyRules(input: RuleInput, t: RuleThresholds): RuleOutcome {
  const faces = countedFaces(input.detections, t.minScore);
  const reasons: Reason[] = [];
  const add = (code: string, message: string): void => {
    if (!reasons.some((r) => r.code === code)) reasons.push({ code, message });
  };

  if (faces.length === 0) {
    const cut = input.detections.find((d) => d.score >= CUT_FLOOR && headCutOff(d, input.width, input.height));
    const weak = input.detections.find((d) => d.score >= WEAK_FLOOR && plausibleFace(d));
    if (cut) add('FACE_CUT_OFF', '脸被照片边缘挡住了，请站到画面中间');
    else if (weak) add('LOW_CONFIDENCE', '看不清人脸，请正对镜头、摘下帽子和口罩');
    else add('NO_FACE', '照片里没有找到人脸，请正对镜头');
    // Light is the usual reason a face is not found at all: say so.
    const probe = cut ?? weak;
    const luma = probe ? input.measure(probe).luma : input.imageLuma;
    if (luma < t.minLuma) add('TOO_DARK', '光线太暗了，请站到亮一点的地方');
    else if (luma > t.maxLuma) add('TOO_BRIGHT', '光线太亮了，请避开强光');
    return { faces, reasons };
  }

  if (faces.length < t.minFaces) add('TOO_FEW_FACES', `需要至少 ${t.minFaces} 个人，现在只看到 ${faces.length} 个`);
  if (faces.length > t.maxFaces) add('TOO_MANY_FACES', `画面里有 ${faces.length} 个人，一次最多 ${t.maxFaces} 个人，请分开拍`);
  for (const f of faces) {
    const m = input.measure(f);
    if (Math.min(f.w, f.h) < t.minFacePx) add('FACE_TOO_SMALL', '人脸太小了，请靠近镜头一点');
    if (headCutOff(f, input.width, input.height)) add('FACE_CUT_OFF', '有人的头被照片边缘切掉了，请往画面中间站');
    if (m.sharpness < t.minSharpness) add('BLURRY', '照片有点模糊，请站稳别动，重新拍一张');
    if (m.luma < t.minLuma) add('TOO_DARK', '光线太暗了，请站到亮一点的地方');
    if (m.luma > t.maxLuma) add('TOO_BRIGHT', '光线太亮了，请避开强光');
    if (turnAmount(f) > t.maxTurn) add('FACE_TURNED', '请把脸转过来，看着镜头');
  }
  return { faces, reasons };
}
