// Every finding the photo checks can report, and its kind: the one list (native/README.md shows
// it as a table). A *refusal* means the AI would really fail on the photo: it is not used and does
// not count toward the product's minimum. *Advice* is shown with "仍然使用" (use anyway) and a
// retake, and never blocks: a photo with only advice counts. Thresholds are settings (rules.ts);
// which side of the line a finding falls on is data, here.
export type FindingKind = 'refusal' | 'advice';

export interface FindingSpec {
  kind: FindingKind;
  /** Chinese text for the kiosk screen and the phone page; {n}, {m}, {max} are filled in. */
  message: string;
}

export const FINDINGS = {
  // Refusals: the photo cannot be used.
  NO_FACE: { kind: 'refusal', message: '照片里没有找到人脸，请正对镜头' },
  NOT_A_PERSON: { kind: 'refusal', message: '照片里好像不是真人（宠物、海报、玩具都不行），请拍家人本人' },
  LOW_CONFIDENCE: { kind: 'refusal', message: '看不清人脸，请正对镜头、摘下帽子和口罩' },
  TOO_FEW_FACES: { kind: 'refusal', message: '需要至少 {n} 个人，现在只看到 {m} 个' },
  TOO_MANY_FACES: { kind: 'refusal', message: '画面里有 {n} 个人，一次最多 {max} 个人，请分开拍' },
  FACE_TOO_SMALL: { kind: 'refusal', message: '人脸太小了，请靠近镜头一点' },
  FACE_CUT_OFF: { kind: 'refusal', message: '有人的头被照片边缘切掉了，请往画面中间站' },
  BLURRY: { kind: 'refusal', message: '照片太模糊了，看不清脸，请站稳别动，重新拍一张' },
  TOO_DARK: { kind: 'refusal', message: '光线太暗了，看不清脸，请站到亮一点的地方' },
  TOO_BRIGHT: { kind: 'refusal', message: '光线太亮了，脸都看不清了，请避开强光' },
  // Advice: shown, never blocking. The AI copes with these; a retake may still look better.
  FACE_TURNED: { kind: 'advice', message: '有人侧着脸或歪着头，正对镜头效果更好' },
  A_BIT_DARK: { kind: 'advice', message: '光线有点暗，亮一点效果更好' },
  A_BIT_BRIGHT: { kind: 'advice', message: '光线有点亮，避开强光效果更好' },
  SLIGHTLY_SOFT: { kind: 'advice', message: '照片有点虚，站稳再拍会更清楚' },
  FACE_MUCH_SMALLER: { kind: 'advice', message: '有一位家人的脸比别人小很多，站近一点效果更好' },
  EYES_CLOSED: { kind: 'advice', message: '有人闭着眼睛，睁开眼睛看镜头效果更好' },
} as const satisfies Record<string, FindingSpec>;

export type FindingCode = keyof typeof FINDINGS;

export interface Finding {
  code: string;
  message: string;
  kind: FindingKind;
}

export function finding(code: FindingCode, vars: Record<string, number> = {}): Finding {
  const spec: FindingSpec = FINDINGS[code];
  const message = spec.message.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? ''));
  return { code, message, kind: spec.kind };
}

/** Codes not in the list (input failures, host errors) are refusals: fail closed. */
export function kindOf(code: string): FindingKind {
  return (FINDINGS as Record<string, FindingSpec>)[code]?.kind ?? 'refusal';
}

/** A photo is usable when nothing refuses it; advice alone never blocks. */
export function usable(findings: ReadonlyArray<{ code: string; kind?: FindingKind }>): boolean {
  return findings.every((f) => (f.kind ?? kindOf(f.code)) === 'advice');
}
