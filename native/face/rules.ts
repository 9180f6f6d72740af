// The product's quality rules. Each finding is a refusal (the AI would really fail: no face, too
// many people, a face too small or cut off, blur or darkness so strong a face cannot be
// recognised) or advice (turned or tilted heads, a little dark or bright, slightly soft, one face
// much smaller, eyes closed) — which is which is data, in findings.ts. Thresholds are settings; defaults come
// from the product plan and from the labelled real-photo set (fixtures/people, native/README.md).
import type { Detection } from './decode';
import { finding, usable, type Finding } from './findings';
import { eyesClosed, headCutOff, plausibleFace, turnAmount, type EyeOpenness } from './quality';

export interface RuleThresholds {
  minFaces: number;
  maxFaces: number;
  /** Smaller side of each face box, in original pixels. */
  minFacePx: number;
  minScore: number;
  /** Normalised Laplacian variance of the face crop (see quality.sharpness): below it, advice. */
  minSharpness: number;
  /** Below this the face cannot be recognised: refusal (BLURRY). */
  blurRefuse: number;
  /** Mean luma (0–255) of the faces: outside [minLuma, maxLuma], advice. */
  minLuma: number;
  maxLuma: number;
  /** Outside [darkRefuse, brightRefuse] a face cannot be recognised: refusal. */
  darkRefuse: number;
  brightRefuse: number;
  /** 0 facing the camera … 1 profile (see quality.turnAmount): above it, advice. */
  maxTurn: number;
  /** A face smaller than this share of the largest one gets advice (FACE_MUCH_SMALLER). */
  smallerRatio: number;
  /**
   * The short-range model's score on a close crop below which a detection in a still is not a
   * person (verify.ts). 0.81 on the labelled set: every face in a usable real photo scored ≥ 0.835,
   * a macaque 0.781, a painted face 0.794, a wooden toy 0.707 (a banknote portrait, 0.847, passes it:
   * its colour sets it aside, maxTintOff).
   */
  minSecondLook: number;
  /**
   * Degrees the mean colour of a counted face's middle may sit from the red (+Cr) axis before it is
   * taken for a print, not skin (quality.faceTint): real faces on the labelled set sat ≤ 48° off
   * (warm light leans yellow), a purple banknote portrait 102°. Grey faces are not judged.
   */
  maxTintOff: number;
  /**
   * Eye aspect ratio (eyes.ts) below which an eye is shut; a face whose more open eye is below it
   * gets EYES_CLOSED advice. 0.1 on the labelled set: open eyes ≥ 0.154, shut ones 0.05–0.10
   * (native/README.md, "Closed eyes"). 0 turns the eye check off (and saves its ~13.5 ms per face).
   */
  eyesClosedBelow: number;
}

export const DEFAULT_RULES: RuleThresholds = {
  minFaces: 1,
  maxFaces: 5,
  minFacePx: 80,
  minScore: 0.7,
  minSharpness: 12,
  blurRefuse: 4,
  minLuma: 55,
  maxLuma: 225,
  darkRefuse: 35,
  brightRefuse: 245,
  maxTurn: 0.4,
  smallerRatio: 0.5,
  minSecondLook: 0.81,
  maxTintOff: 80,
  eyesClosedBelow: 0.1,
};

/** Detections between these and minScore explain a failure but are never counted as people. */
export const WEAK_FLOOR = 0.65;
export const CUT_FLOOR = 0.4;

/** A finding as reported: code, Chinese message and kind (findings.ts). */
export type Reason = Finding;

export interface FaceMeasure {
  det: Detection;
  sharpness: number;
  luma: number;
  /** Eye openness, where it was measured (faces of a photo nothing refuses; see pipeline.ts). */
  eyes?: EyeOpenness;
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
  /** Face-like detections the second look set aside as not a person (pets, posters, toys). */
  setAside?: Detection[];
}

export interface RuleOutcome {
  /** No refusal among the reasons (advice alone never blocks). */
  ok: boolean;
  faces: Detection[];
  /** Refusals and advice, one per failed rule (not per face), refusals first. */
  reasons: Reason[];
}

/**
 * The box runs past a side of the picture by a quarter of its size or more: half a face. Stricter
 * than headCutOff (which also asks for the hair and both ears), so a pet's face that only touches
 * the frame is still called "not a person".
 */
function cutInHalf(d: Detection, width: number, height: number): boolean {
  return Math.max(-d.x, d.x + d.w - width) > 0.25 * d.w || Math.max(-d.y, d.y + d.h - height) > 0.25 * d.h;
}

export function countedFaces(dets: Detection[], minScore: number): Detection[] {
  return dets.filter((d) => d.score >= minScore && plausibleFace(d));
}

export function applyRules(input: RuleInput, t: RuleThresholds): RuleOutcome {
  const faces = countedFaces(input.detections, t.minScore);
  const reasons: Reason[] = [];
  const add = (r: Reason): void => {
    if (!reasons.some((x) => x.code === r.code)) reasons.push(r);
  };
  const light = (luma: number): void => {
    if (luma < t.darkRefuse) add(finding('TOO_DARK'));
    else if (luma < t.minLuma) add(finding('A_BIT_DARK'));
    else if (luma > t.brightRefuse) add(finding('TOO_BRIGHT'));
    else if (luma > t.maxLuma) add(finding('A_BIT_BRIGHT'));
  };
  const done = (): RuleOutcome => {
    reasons.sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'refusal' ? -1 : 1));
    return { ok: usable(reasons), faces, reasons };
  };

  if (faces.length === 0) {
    const aside = input.setAside?.find((d) => d.score >= Math.min(WEAK_FLOOR, t.minScore));
    // A faint cut-off detection does not speak over a clearer face-like thing set aside (a cat's face).
    const cut = input.detections.find((d) => d.score >= CUT_FLOOR && headCutOff(d, input.width, input.height) && !(aside && aside.score > d.score));
    const weak = input.detections.find((d) => d.score >= WEAK_FLOOR && plausibleFace(d));
    if (cut) add(finding('FACE_CUT_OFF'));
    else if (weak) add(finding('LOW_CONFIDENCE'));
    if (!cut && !weak) {
      // A person in the dark or heavily blurred also fails the second look: say that, not "not a person".
      const m = aside ? input.measure(aside) : null;
      if (!m || m.luma < t.darkRefuse) add(finding('NO_FACE'));
      // Half a face at the edge fails the second look too (half its crop is outside the picture).
      else if (cutInHalf(aside!, input.width, input.height)) add(finding('FACE_CUT_OFF'));
      else add(finding(m.sharpness < t.blurRefuse ? 'BLURRY' : 'NOT_A_PERSON'));
    }
    // Light is the usual reason a face is not found at all: say so.
    const probe = cut ?? weak ?? aside;
    light(probe ? input.measure(probe).luma : input.imageLuma);
    return done();
  }

  if (faces.length < t.minFaces) add(finding('TOO_FEW_FACES', { n: t.minFaces, m: faces.length }));
  if (faces.length > t.maxFaces) add(finding('TOO_MANY_FACES', { n: faces.length, max: t.maxFaces }));
  const largest = Math.max(...faces.map((f) => Math.min(f.w, f.h)));
  for (const f of faces) {
    const m = input.measure(f);
    const side = Math.min(f.w, f.h);
    if (side < t.minFacePx) add(finding('FACE_TOO_SMALL'));
    else if (side < t.smallerRatio * largest) add(finding('FACE_MUCH_SMALLER'));
    if (headCutOff(f, input.width, input.height)) add(finding('FACE_CUT_OFF'));
    if (m.sharpness < t.blurRefuse) add(finding('BLURRY'));
    else if (m.sharpness < t.minSharpness) add(finding('SLIGHTLY_SOFT'));
    light(m.luma);
    if (turnAmount(f) > t.maxTurn) add(finding('FACE_TURNED'));
    if (m.eyes && eyesClosed(m.eyes, t.eyesClosedBelow)) add(finding('EYES_CLOSED'));
  }
  return done();
}
