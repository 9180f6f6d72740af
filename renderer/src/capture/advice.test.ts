import { describe, expect, it } from 'vitest';
import { adviceOf, refusalsOf } from './advice';

describe('advice vs refusal on the capture screen', () => {
  const turned = { code: 'FACE_TURNED', message: '有人侧着脸或歪着头，正对镜头效果更好', kind: 'advice' as const };
  const small = { code: 'FACE_TOO_SMALL', message: '人脸太小了，请靠近镜头一点', kind: 'refusal' as const };
  it('shows advice on a usable photo, refusals on a refused one', () => {
    expect(adviceOf({ ok: true, reasons: [turned] })).toEqual([turned]);
    expect(adviceOf({ ok: false, reasons: [small, turned] })).toEqual([]);
    expect(refusalsOf({ ok: false, reasons: [small, turned] })).toEqual([small]);
  });
  it('treats a finding without a kind (older rows, host errors) as a refusal', () => {
    const old = { code: 'CHECK_TIMEOUT', message: '照片检查超时' };
    expect(adviceOf({ ok: true, reasons: [old] })).toEqual([]);
    expect(refusalsOf({ ok: false, reasons: [old] })).toEqual([old]);
  });
});
