import { describe, expect, it } from 'vitest';
import type { Detection } from './decode';
import { CROP, faceTint, headCutOff, plausibleFace, sharpness, skinColoured, turnAmount } from './quality';
import { applyRules, DEFAULT_RULES, type RuleInput } from './rules';

/** A frontal face box at (x, y) of side s, keypoints where BlazeFace puts them on a real face. */
function face(x: number, y: number, s: number, score = 0.9, noseShift = 0): Detection {
  const k = (fx: number, fy: number): [number, number] => [x + fx * s, y + fy * s];
  return {
    x,
    y,
    w: s,
    h: s,
    score,
    keypoints: [k(0.3, 0.28), k(0.7, 0.28), k(0.5 + noseShift, 0.5), k(0.5 + noseShift * 0.8, 0.72), k(0.05, 0.35), k(0.95, 0.35)],
  };
}

function input(dets: Detection[], over: Partial<{ sharpness: number; luma: number; width: number; height: number }> = {}): RuleInput {
  return {
    width: over.width ?? 2000,
    height: over.height ?? 1500,
    detections: dets,
    measure: (det) => ({ det, sharpness: over.sharpness ?? 40, luma: over.luma ?? 140 }),
    imageLuma: over.luma ?? 140,
  };
}

const codes = (i: RuleInput, t = DEFAULT_RULES): string[] => applyRules(i, t).reasons.map((r) => r.code);

describe('quality rules', () => {
  it('passes 1–5 good faces and names every failed rule otherwise', () => {
    expect(codes(input([face(100, 100, 200)]))).toEqual([]);
    expect(codes(input([1, 2, 3, 4, 5].map((i) => face(i * 300, 100, 150))))).toEqual([]);
    expect(codes(input([1, 2, 3, 4, 5, 6].map((i) => face(i * 280, 100, 150))))).toEqual(['TOO_MANY_FACES']);
    expect(codes(input([]))).toEqual(['NO_FACE']);
    expect(codes(input([face(100, 100, 60)]))).toEqual(['FACE_TOO_SMALL']);
    expect(codes(input([face(100, 100, 200)], { sharpness: 3 }))).toEqual(['BLURRY']);
    expect(codes(input([face(100, 100, 200)], { luma: 20 }))).toEqual(['TOO_DARK']);
    expect(codes(input([face(100, 100, 200)], { luma: 250 }))).toEqual(['TOO_BRIGHT']);
    expect(codes(input([face(-40, 300, 200)]))).toEqual(['FACE_CUT_OFF']);
  });

  it('gives advice, never a refusal, for what the AI copes with: the photo stays usable', () => {
    const advice = (i: RuleInput): { ok: boolean; codes: string[]; kinds: string[] } => {
      const o = applyRules(i, DEFAULT_RULES);
      return { ok: o.ok, codes: o.reasons.map((r) => r.code), kinds: o.reasons.map((r) => r.kind) };
    };
    expect(advice(input([face(100, 100, 200, 0.9, 0.3)]))).toEqual({ ok: true, codes: ['FACE_TURNED'], kinds: ['advice'] });
    expect(advice(input([face(100, 100, 200)], { luma: 45 }))).toEqual({ ok: true, codes: ['A_BIT_DARK'], kinds: ['advice'] });
    expect(advice(input([face(100, 100, 200)], { luma: 235 }))).toEqual({ ok: true, codes: ['A_BIT_BRIGHT'], kinds: ['advice'] });
    expect(advice(input([face(100, 100, 200)], { sharpness: 8 }))).toEqual({ ok: true, codes: ['SLIGHTLY_SOFT'], kinds: ['advice'] });
    expect(advice(input([face(100, 100, 300), face(600, 100, 120)]))).toEqual({ ok: true, codes: ['FACE_MUCH_SMALLER'], kinds: ['advice'] });
    // Eyes: both shut is advice; a wink, a squint or an unmeasured face is not; 0 turns it off.
    const eyes = (right: number, left: number, t = DEFAULT_RULES) =>
      applyRules({ ...input([face(100, 100, 200), face(600, 100, 200)]), measure: (det) => ({ det, sharpness: 40, luma: 140, eyes: det.x === 600 ? { right, left } : { right: 0.3, left: 0.3 } }) }, t);
    expect(eyes(0.05, 0.07).reasons.map((r) => [r.code, r.kind])).toEqual([['EYES_CLOSED', 'advice']]);
    expect(eyes(0.05, 0.07).ok).toBe(true);
    expect(eyes(0.05, 0.25).reasons).toEqual([]); // a wink
    expect(eyes(0.12, 0.13).reasons).toEqual([]); // a squint
    expect(eyes(0.05, 0.07, { ...DEFAULT_RULES, eyesClosedBelow: 0 }).reasons).toEqual([]);
    // Refusals come first and decide: advice beside a refusal does not make the photo usable.
    const both = applyRules(input([face(100, 100, 200, 0.9, 0.3), face(600, 100, 60)]), DEFAULT_RULES);
    expect(both.ok).toBe(false);
    expect(both.reasons.map((r) => [r.code, r.kind])).toEqual([
      ['FACE_TOO_SMALL', 'refusal'],
      ['FACE_TURNED', 'advice'],
    ]);
  });

  it('calls a face-like thing the second look set aside "not a person", and a blurred person "blurry"', () => {
    const set = (sharpness: number): RuleInput => ({ ...input([], { sharpness }), setAside: [face(100, 100, 200, 0.85)] });
    expect(codes(set(40))).toEqual(['NOT_A_PERSON']);
    expect(codes(set(2))).toEqual(['BLURRY']);
    // Half a face cut by the right edge fails the second look as well: the family is told why.
    expect(codes({ ...input([]), setAside: [face(1850, 100, 300, 0.8)] })).toEqual(['FACE_CUT_OFF']);
  });

  it('reads the counts from the settings', () => {
    const two = input([face(100, 100, 200), face(500, 100, 200)]);
    expect(codes(two, { ...DEFAULT_RULES, maxFaces: 1 })).toEqual(['TOO_MANY_FACES']);
    expect(codes(two, { ...DEFAULT_RULES, minFaces: 3 })).toEqual(['TOO_FEW_FACES']);
    expect(codes(input([face(100, 100, 90)]), { ...DEFAULT_RULES, minFacePx: 100 })).toEqual(['FACE_TOO_SMALL']);
  });

  it('never counts a detection below the confidence threshold, but explains a likely face', () => {
    expect(applyRules(input([face(100, 100, 200, 0.68)]), DEFAULT_RULES).faces).toHaveLength(0);
    expect(codes(input([face(100, 100, 200, 0.68)]))).toEqual(['LOW_CONFIDENCE']);
    expect(codes(input([face(100, 100, 200, 0.5)]))).toEqual(['NO_FACE']);
    expect(codes(input([face(100, 100, 200, 0.9), face(600, 100, 200, 0.6)]))).toEqual([]);
  });

  it('says the light is the problem when no face is found in the dark', () => {
    expect(codes(input([], { luma: 20 }))).toEqual(['NO_FACE', 'TOO_DARK']);
  });
});

describe('face measurements', () => {
  it('tells a frontal face from a turned one, whatever the head tilt', () => {
    expect(turnAmount(face(0, 0, 100))).toBeLessThan(0.1);
    expect(turnAmount(face(0, 0, 100, 0.9, 0.35))).toBeGreaterThan(DEFAULT_RULES.maxTurn);
    const tilted = face(0, 0, 100);
    const rot = (p: [number, number]): [number, number] => [p[0] * Math.cos(0.5) - p[1] * Math.sin(0.5), p[0] * Math.sin(0.5) + p[1] * Math.cos(0.5)];
    tilted.keypoints = tilted.keypoints.map(rot);
    expect(turnAmount(tilted)).toBeLessThan(0.1);
  });

  it('rejects keypoint layouts no human face has', () => {
    expect(plausibleFace(face(0, 0, 100))).toBe(true);
    const upsideDown = face(0, 0, 100);
    upsideDown.keypoints[3] = [50, 10]; // mouth above the eyes
    expect(plausibleFace(upsideDown)).toBe(false);
  });

  it('flags a head running off any edge', () => {
    expect(headCutOff(face(500, 500, 200), 2000, 1500)).toBe(false);
    expect(headCutOff(face(500, 10, 200), 2000, 1500)).toBe(true);
    expect(headCutOff(face(1850, 500, 200), 2000, 1500)).toBe(true);
    // A close-up portrait: the box reaches a little past the frame, both ears are inside: not cut.
    expect(headCutOff(face(180, 150, 480), 640, 960)).toBe(false);
    // The same face moved so one ear leaves the frame: cut.
    expect(headCutOff(face(200, 150, 480), 640, 960)).toBe(true);
  });

  it('takes skin under warm, cool and dim light for skin, and a purple or green face for a print', () => {
    // A 100×100 picture filled with one colour; the face box covers all of it.
    const tint = (r: number, g: number, b: number) => {
      const data = new Uint8Array(100 * 100 * 3);
      for (let i = 0; i < data.length; i += 3) data.set([r, g, b], i);
      return faceTint({ data, width: 100, height: 100, channels: 3 }, { x: 0, y: 0, w: 100, h: 100 });
    };
    const skin = (r: number, g: number, b: number): boolean => skinColoured(tint(r, g, b), DEFAULT_RULES.maxTintOff);
    // Mean face colours measured on the labelled set: daylight, warm (tungsten), cool, dim, dark skin.
    expect([skin(183, 133, 108), skin(234, 139, 73), skin(108, 75, 82), skin(92, 67, 54), skin(105, 49, 57)]).toEqual([true, true, true, true, true]);
    // A black-and-white photo and a near-black one: no colour to judge, not set aside for it.
    expect([skin(142, 142, 142), skin(8, 4, 3)]).toEqual([true, true]);
    // The purple banknote portrait of the set (177, 178, 196), a blue poster, a green statue.
    expect([skin(177, 178, 196), skin(90, 110, 190), skin(90, 140, 100)]).toEqual([false, false, false]);
    expect(tint(177, 178, 196).off).toBeGreaterThan(95);
  });

  it('scores a sharp pattern far above the same pattern blurred', () => {
    // A face-like blob: a bright disc with two dark eyes on a dark ground.
    const sharpImg = new Float32Array(CROP * CROP).map((_, i) => {
      const x = i % CROP;
      const y = Math.floor(i / CROP);
      if (Math.hypot(x - 17, y - 18) < 3 || Math.hypot(x - 31, y - 18) < 3) return 40;
      return Math.hypot(x - 24, y - 24) < 16 ? 190 : 50;
    });
    const blurred = new Float32Array(CROP * CROP);
    for (let y = 0; y < CROP; y++) {
      for (let x = 0; x < CROP; x++) {
        let s = 0;
        let n = 0;
        for (let dy = -3; dy <= 3; dy++) for (let dx = -3; dx <= 3; dx++) {
          const yy = Math.min(CROP - 1, Math.max(0, y + dy));
          const xx = Math.min(CROP - 1, Math.max(0, x + dx));
          s += sharpImg[yy * CROP + xx]!;
          n++;
        }
        blurred[y * CROP + x] = s / n;
      }
    }
    expect(sharpness(sharpImg)).toBeGreaterThan(DEFAULT_RULES.minSharpness);
    expect(sharpness(blurred)).toBeLessThan(DEFAULT_RULES.minSharpness);
    expect(sharpness(new Float32Array(CROP * CROP).fill(128))).toBe(0);
  });
});
