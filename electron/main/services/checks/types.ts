// What the rest of the main process needs from the on-device checks (native/ runs them off the UI thread).
import type { FaceBox, Guidance, Reason } from '../../../shared/contract';

export interface CheckThresholds {
  minFaces: number; // default 1
  maxFaces: number; // default 5
  minFacePx: number; // default 80 (side of the face box in original pixels)
  minScore: number; // default 0.7
  /** Optional fine-tuning; defaults in native/face/rules.ts (see native/README.md). */
  minSharpness?: number; // default 12 (normalised Laplacian variance of the face)
  minLuma?: number; // default 55 (mean face luma, 0–255)
  maxLuma?: number; // default 225
  maxTurn?: number; // default 0.4 (0 frontal … 1 profile); above it, advice FACE_TURNED
  blurRefuse?: number; // default 4: below it the face cannot be recognised (refusal BLURRY)
  darkRefuse?: number; // default 35 (refusal TOO_DARK below; advice A_BIT_DARK below minLuma)
  brightRefuse?: number; // default 245
  smallerRatio?: number; // default 0.5 (advice FACE_MUCH_SMALLER)
  minSecondLook?: number; // default 0.81 for stills: the second look's bar for "a person" (native/face/verify.ts)
  maxTintOff?: number; // default 80: degrees a face's colour may lean away from red before it is a print, not skin
  eyesClosedBelow?: number; // default 0.1: eye aspect ratio below which an eye is shut (advice EYES_CLOSED); 0 turns the eye check off
}

export interface CheckOutcome {
  ok: boolean;
  /** Boxes in original-image pixels after EXIF orientation. */
  faces: FaceBox[];
  /** One entry per failed rule (code + Chinese message + kind); ok = no refusal among them, advice alone never blocks. */
  reasons: Reason[];
  width: number;
  height: number;
  /** The compressed, metadata-free sRGB JPEG (≤ 2 MB), or null when the image could not be read. */
  jpeg: Buffer | null;
}

export interface ChecksService {
  /** Full check of a still (camera or phone upload): decode → detect → rules → compress. Never throws for bad input. */
  checkPhoto(image: Buffer, thresholds?: Partial<CheckThresholds>): Promise<CheckOutcome>;
  /** Faces in an arbitrary image (used by the generator's quality gate). */
  detectFaces(image: Buffer): Promise<FaceBox[]>;
  /** Live guidance on a small preview frame (JPEG, ~320 px). */
  guideFrame(image: Buffer): Promise<Guidance>;
  close(): Promise<void>;
}
