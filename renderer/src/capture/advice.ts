// A check finding is a refusal (the photo is not used) or advice (shown with "仍然使用" and a
// retake, never blocking). The kind comes from main (native/face/findings.ts); a finding without
// one (older rows, host errors) is a refusal: fail closed.
import type { Reason } from '../../../electron/shared/contract';

export const isAdvice = (r: Reason): boolean => r.kind === 'advice';

/** Advice on a usable photo; a refused photo shows its refusals instead. */
export function adviceOf(photo: { ok: boolean; reasons: Reason[] }): Reason[] {
  return photo.ok ? photo.reasons.filter(isAdvice) : [];
}

export function refusalsOf(photo: { ok: boolean; reasons: Reason[] }): Reason[] {
  return photo.reasons.filter((r) => !isAdvice(r));
}
