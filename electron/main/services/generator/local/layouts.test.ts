import { describe, expect, it } from 'vitest';
import type { Style } from '../../../../shared/contract';
import { arrange, faceCrop, LAYOUTS, planVariant, type CutGeometry } from './layouts';
import { createRng } from './rng';

// A head-and-shoulders cut-out as people.ts makes it: one face, 430×560.
const person: CutGeometry = { width: 430, height: 560, faces: [{ x: 165, y: 80, w: 100, h: 100, score: 1 }] };
const style = { id: 'gugong', palette: ['#A3201C', '#F2C14E'] } as Style;
const canvas = { x: 0, y: 0, w: 1800, h: 1200 };

function faceCentres(n: number, rows: 1 | 2) {
  const cuts = Array.from({ length: n }, () => person);
  const placed = arrange(cuts, cuts.map((_, i) => i), { x: 100, y: 200, w: 1600, h: 1000 }, { overlap: 0.2, rows, maxFace: 250, jitter: 0 }, createRng(1));
  return placed.map((p) => {
    const k = p.width / person.width;
    const f = person.faces[0]!;
    return { x: p.left + (f.x + f.w / 2) * k, y: p.top + (f.y + f.h / 2) * k, size: f.h * k, p };
  });
}

describe('arrange', () => {
  it('gives every face the same size and keeps everyone inside the box', () => {
    const faces = faceCentres(3, 1);
    for (const f of faces) {
      expect(f.size).toBeCloseTo(faces[0]!.size, 5);
      expect(f.p.left).toBeGreaterThanOrEqual(99);
      expect(f.p.left + f.p.width).toBeLessThanOrEqual(1701);
      expect(f.p.top + f.p.height).toBeLessThanOrEqual(1201);
    }
    expect(faces[0]!.size).toBeLessThanOrEqual(250);
  });

  it('puts two rows so that each back-row face shows between front-row heads', () => {
    for (const n of [4, 5, 6]) {
      const faces = faceCentres(n, 2);
      const back = faces.slice(0, Math.ceil(n / 2));
      const front = faces.slice(Math.ceil(n / 2));
      for (const b of back) {
        expect(b.y).toBeLessThan(front[0]!.y);
        const nearest = Math.min(...front.map((f) => Math.abs(f.x - b.x)));
        expect(nearest).toBeGreaterThan(b.size * 0.6);
      }
    }
  });
});

describe('a common ground line for people photographed apart', () => {
  // Upper-body cut-outs of different depth: one to the waist, one to the chest, one fading out early.
  const waist: CutGeometry = { width: 430, height: 560, faces: [{ x: 165, y: 80, w: 100, h: 100, score: 1 }], segmented: true, solidBottom: 540 };
  const chest: CutGeometry = { width: 400, height: 330, faces: [{ x: 150, y: 60, w: 100, h: 100, score: 1 }], segmented: true, solidBottom: 330 };
  const faded: CutGeometry = { width: 500, height: 600, faces: [{ x: 190, y: 100, w: 120, h: 120, score: 1 }], segmented: true, solidBottom: 420 };
  const cuts = [waist, chest, faded];
  const overlaps = (a: { x: number; y: number; w: number; h: number }, b: typeof a) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

  it('stands everyone on the frame bottom, faces the same size and apart, in every layout', () => {
    for (const kind of LAYOUTS) {
      const plan = planVariant(kind, cuts, style, createRng(3), 1800, 1200);
      if (plan.people.length === 0) continue;
      const line = plan.people[0]!.clipBottom!;
      if (kind === 'row') expect(line).toBe(1200);
      const placed = plan.people.map((p) => {
        const c = cuts[p.cut]!;
        const k = p.width / c.width;
        return { p, end: p.top + c.solidBottom! * k, faceY: p.top + (c.faces[0]!.y + c.faces[0]!.h / 2) * k, faceH: c.faces[0]!.h * k };
      });
      const frontFace = Math.max(...placed.map((x) => x.faceY));
      for (const x of placed) {
        // Nothing is drawn below the line; the front row's opaque part reaches it (nobody there
        // floats above it), a back row (faces a good half face higher) stands behind the front.
        expect(x.p.clipBottom).toBe(line);
        if (frontFace - x.faceY < 0.5 * x.faceH) expect(x.end).toBeGreaterThanOrEqual(line - 2);
      }
      // Faces the same size (a face-height scale per photo); a back row stands 10 % smaller.
      const sizes = plan.faces.map((f) => f.h);
      const big = Math.max(...sizes);
      for (const h of sizes) expect(Math.min(Math.abs(h / big - 1), Math.abs(h / big - 0.9))).toBeLessThan(0.01);
      for (let i = 0; i < plan.faces.length; i++) for (let j = i + 1; j < plan.faces.length; j++) expect(overlaps(plan.faces[i]!, plan.faces[j]!)).toBe(false);
    }
  });

  it('without a common line the shallow cut-out would end above the others (the case it fixes)', () => {
    const placed = arrange(cuts, [0, 1, 2], { x: 0, y: 200, w: 1800, h: 1000 }, { overlap: 0.2, rows: 1, maxFace: 250, jitter: 0 }, createRng(1));
    const ends = placed.map((p) => p.top + cuts[p.cut]!.solidBottom! * (p.width / cuts[p.cut]!.width));
    // Uncut, the waist-deep photo would reach far below the chest-deep one...
    expect(Math.max(...ends) - Math.min(...ends)).toBeGreaterThan(100);
    // ...so the chest-deep one sets the line, and the line is the box's bottom.
    expect(Math.min(...ends)).toBeCloseTo(1200, -1);
  });
});

describe('faceCrop', () => {
  it('keeps the face inside a crop of any shape', () => {
    for (const aspect of [0.6, 1, 1.6]) {
      const c = faceCrop(person, aspect);
      const f = person.faces[0]!;
      expect(c.w / c.h).toBeCloseTo(aspect, 1);
      expect(c.x).toBeLessThanOrEqual(f.x);
      expect(c.x + c.w).toBeGreaterThanOrEqual(f.x + f.w);
      expect(c.y).toBeLessThanOrEqual(f.y);
      expect(c.y + c.h).toBeGreaterThanOrEqual(f.y + f.h);
    }
  });
});

describe('planVariant', () => {
  it('plans four different layouts and grades, each keeping every face on the canvas', () => {
    const plans = LAYOUTS.map((kind) => planVariant(kind, [person, person], style, createRng(5), 1800, 1200));
    expect(new Set(plans.map((p) => p.grade)).size).toBe(4);
    for (const p of plans) {
      expect(p.faces).toHaveLength(2);
      for (const f of p.faces) {
        expect(f.x).toBeGreaterThanOrEqual(canvas.x);
        expect(f.y).toBeGreaterThanOrEqual(canvas.y);
        expect(f.x + f.w).toBeLessThanOrEqual(canvas.w);
        expect(f.y + f.h).toBeLessThanOrEqual(canvas.h);
        expect(f.w).toBeGreaterThanOrEqual(80);
      }
    }
  });
});

describe('regeneration rounds', () => {
  it('give slots 4–7 the family in reverse order and another grade', () => {
    const wide: CutGeometry = { ...person, width: 600 };
    for (const kind of LAYOUTS) {
      const first = planVariant(kind, [person, wide], style, createRng(9), 1800, 1200, 0);
      const again = planVariant(kind, [person, wide], style, createRng(9), 1800, 1200, 1);
      expect(again.grade).not.toBe(first.grade);
      const firstOrder = [...first.people.map((p) => p.cut), ...first.windows.map((w) => w.cut)];
      const againOrder = [...again.people.map((p) => p.cut), ...again.windows.map((w) => w.cut)];
      expect(againOrder).toEqual([...firstOrder].reverse());
    }
  });
});
