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
