import { describe, expect, it } from 'vitest';
import { ANCHOR_COUNT, anchorCount, anchorPixels } from './anchors';
import { decodeRaw, decodeScan, iou, weightedNms, type Detection } from './decode';
import { mergeDetections } from './detector';

function emptyOutputs(): { scores: [Float32Array, Float32Array]; boxes: [Float32Array, Float32Array] } {
  return {
    scores: [new Float32Array(512).fill(-10), new Float32Array(384).fill(-10)],
    boxes: [new Float32Array(512 * 16), new Float32Array(384 * 16)],
  };
}

const det = (x: number, y: number, w: number, score: number): Detection => ({
  x,
  y,
  w,
  h: w,
  score,
  keypoints: Array.from({ length: 6 }, () => [x + w / 2, y + w / 2] as [number, number]),
});

describe('BlazeFace anchors and decoding', () => {
  it('lays out 896 anchors: 16×16×2 then 8×8×6, row-major', () => {
    const a = anchorPixels(256, 256).map((v) => v / 256); // normalised, as decodeRaw uses them
    expect(a.length).toBe(ANCHOR_COUNT * 2);
    expect([a[0], a[1]]).toEqual([0.5 / 16, 0.5 / 16]);
    expect([a[2], a[3]]).toEqual([0.5 / 16, 0.5 / 16]); // second anchor of the same cell
    expect([a[4], a[5]]).toEqual([1.5 / 16, 0.5 / 16]); // next column
    expect([a[512 * 2], a[512 * 2 + 1]]).toEqual([0.5 / 8, 0.5 / 8]); // first of the 8×8 layer
    expect([a[895 * 2], a[895 * 2 + 1]]).toEqual([7.5 / 8, 7.5 / 8]);
  });

  it('applies the sigmoid, offsets boxes and keypoints from their anchor, and scales by the input size', () => {
    const out = emptyOutputs();
    // Second layer, cell (row 2, col 3), anchor 0 → row index (2*8+3)*6 = 114.
    const r = 114;
    out.scores[1][r] = 2; // sigmoid(2) ≈ 0.881
    const b = out.boxes[1];
    b.set([12.8, -25.6, 51.2, 64, /* keypoints */ -10, -10, 10, -10, 0, 0, 0, 12, -20, -5, 20, -5], r * 16);
    const [d] = decodeRaw(out.scores, out.boxes, 256, 0.5);
    expect(d).toBeDefined();
    expect(d!.score).toBeCloseTo(1 / (1 + Math.exp(-2)), 6);
    const cx = 3.5 / 8 + 12.8 / 256;
    const cy = 2.5 / 8 - 25.6 / 256;
    expect(d!.w).toBeCloseTo(0.2, 6);
    expect(d!.h).toBeCloseTo(0.25, 6);
    expect(d!.x + d!.w / 2).toBeCloseTo(cx, 6);
    expect(d!.y + d!.h / 2).toBeCloseTo(cy, 6);
    expect(d!.keypoints[3]![1]).toBeCloseTo(2.5 / 8 + 12 / 256, 6);
  });

  it('drops rows below the score floor and rows with broken numbers', () => {
    const out = emptyOutputs();
    out.scores[0][5] = 0.1; // sigmoid ≈ 0.52 < 0.6
    out.scores[0][6] = 5;
    out.boxes[0][6 * 16 + 2] = Number.NaN;
    expect(decodeRaw(out.scores, out.boxes, 128, 0.6)).toEqual([]);
  });
});

describe('weighted non-maximum suppression', () => {
  it('blends overlapping boxes by score and keeps the best score', () => {
    const merged = weightedNms([det(100, 100, 50, 0.9), det(110, 100, 50, 0.6), det(400, 400, 50, 0.8)]);
    expect(merged).toHaveLength(2);
    const face = merged.find((m) => m.x < 200)!;
    expect(face.score).toBe(0.9);
    expect(face.x).toBeCloseTo((100 * 0.9 + 110 * 0.6) / 1.5, 6);
  });

  it('keeps separate faces that touch but do not overlap much', () => {
    expect(weightedNms([det(0, 0, 100, 0.9), det(80, 0, 100, 0.9)])).toHaveLength(2);
    expect(iou(det(0, 0, 100, 1), det(0, 0, 100, 1))).toBe(1);
  });

  it('drops a half face from a tile lying inside a whole face from another pass', () => {
    const out = mergeDetections([det(100, 100, 100, 0.9), det(150, 120, 40, 0.75)]);
    expect(out).toHaveLength(1);
  });
});

describe("the any-size model's rows", () => {
  it('are a 16-px grid with 2 anchors per cell, then a 32-px grid with 6, for any multiple of 32', () => {
    expect(anchorCount(256, 256)).toBe(ANCHOR_COUNT);
    expect(anchorCount(352, 576)).toBe(22 * 36 * 2 + 11 * 18 * 6);
    const a = anchorPixels(352, 576);
    expect([a[0], a[1]]).toEqual([8, 8]);
    expect([a[4], a[5]]).toEqual([24, 8]); // next column
    expect([a[36 * 2 * 2], a[36 * 2 * 2 + 1]]).toEqual([8, 24]); // next row: 36 cells × 2 anchors later
    const second = 22 * 36 * 2;
    expect([a[second * 2], a[second * 2 + 1]]).toEqual([16, 16]); // first of the 32-px grid
    expect([a[a.length - 2], a[a.length - 1]]).toEqual([576 - 16, 352 - 16]);
  });

  it('decode boxes in input pixels, offset from their anchor', () => {
    const h = 64;
    const w = 96;
    const first = anchorCount(h, w) - (h / 32) * (w / 32) * 6;
    const scores: [Float32Array, Float32Array] = [new Float32Array(first).fill(-10), new Float32Array(anchorCount(h, w) - first).fill(-10)];
    const boxes: [Float32Array, Float32Array] = [new Float32Array(scores[0].length * 16), new Float32Array(scores[1].length * 16)];
    // 32-px grid, row 1, column 2, anchor 3: centre (80, 48).
    const r = (1 * 3 + 2) * 6 + 3;
    scores[1][r] = 3;
    boxes[1].set([4, -2, 30, 36], r * 16);
    const [d] = decodeScan(scores, boxes, h, w, 0.5);
    expect(d!.x + d!.w / 2).toBeCloseTo(84, 5);
    expect(d!.y + d!.h / 2).toBeCloseTo(46, 5);
    expect([d!.w, d!.h]).toEqual([30, 36]);
    expect(() => decodeScan(scores, boxes, 96, 96, 0.5)).toThrow(/rows/);
  });
});
