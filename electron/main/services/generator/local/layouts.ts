// The four local variants. Each is a layout plus a colour grade, so the customer's 4-grid offers
// four genuinely different pictures, and the seed only varies the details (phrase, small
// position changes, sparkles) so a given seed always gives the same picture:
//   0 row    全家福   everyone in one or two rows in the scene under a ribbon — warm grade
//   1 frame  画框     a gold picture frame flanked by couplets (对联) — vivid grade
//   2 scroll 卷轴     the family painted onto a hanging scroll, two rows (real cut-outs; each photo in
//                    its own window when only the vignette fallback is available) — vintage grade
//   3 moon   花好月圆 the family before a full moon inside a 回纹 border — golden grade
import type { FaceBox, Style } from '../../../../shared/contract';
import { couplet, cloud, fretBorder, goldFrame, moon, ribbon, type Rect, scroll, seal, sparkles, text, windowFrame } from './ornaments';
import type { Rng } from './rng';

export type LayoutKind = 'row' | 'frame' | 'scroll' | 'moon';
export const LAYOUTS: readonly LayoutKind[] = ['row', 'frame', 'scroll', 'moon'];

export type GradeKind = 'warm' | 'vivid' | 'vintage' | 'golden';

export interface CutGeometry {
  width: number;
  height: number;
  faces: readonly FaceBox[];
  /** A real cut-out (segmented); false/absent for the vignette fallback. */
  segmented?: boolean;
  /** Lowest row (cut pixels) where the person is still opaque; below it the cut fades out. Default: height. */
  solidBottom?: number;
}

/** A soft-masked cut-out drawn at this canvas rectangle. */
export interface PersonPlacement {
  cut: number;
  left: number;
  top: number;
  width: number;
  height: number;
  /** Canvas row where the person ends (the common ground line): nothing of them is drawn below it. */
  clipBottom?: number;
}

/** A rectangular crop of a photo shown in a window (collage): `crop` in cut pixels. */
export interface WindowPlacement {
  cut: number;
  rect: Rect;
  crop: Rect;
}

export interface Plan {
  kind: LayoutKind;
  /** Blur sigma (0 = none) and brightness factor applied to the scene behind everything. */
  backdrop: { blur: number; brightness: number };
  /** Part of the scene shown sharp and undimmed (the frame's opening). */
  sceneWindow: Rect | null;
  under: string;
  people: PersonPlacement[];
  windows: WindowPlacement[];
  over: string;
  grade: GradeKind;
  /** Every face in canvas pixels, for sparkle avoidance and the quality checks. */
  faces: Rect[];
}

const PHRASES = {
  ribbon: ['阖家团圆', '福满华堂', '新春大吉', '幸福美满', '团团圆圆'],
  couplets: [
    ['阖家欢乐', '万事如意'],
    ['福满家园', '春回大地'],
    ['家和业兴', '人寿年丰'],
    ['天增岁月', '春满乾坤'],
  ],
  scroll: ['家和万事兴', '团圆添福寿', '一家人最好', '岁岁常相见'],
  moon: ['花好月圆', '人月两圆', '月满人团圆'],
  seal: ['团圆', '吉祥', '福寿', '平安'],
} as const;

interface Unit {
  cut: number;
  cx: number;
  faceLine: number;
  scale: number;
  row: number;
}

function faceStats(c: CutGeometry): { h: number; cx: number; cy: number } {
  const faces = c.faces.length ? [...c.faces] : [{ x: c.width * 0.4, y: c.height * 0.2, w: c.width * 0.2, h: c.width * 0.2, score: 0 }];
  const hs = faces.map((f) => f.h).sort((a, b) => a - b);
  const h = hs[Math.floor(hs.length / 2)] ?? 1;
  const cx = faces.reduce((s, f) => s + f.x + f.w / 2, 0) / faces.length;
  const cy = faces.reduce((s, f) => s + f.y + f.h / 2, 0) / faces.length;
  return { h: Math.max(1, h), cx, cy };
}

/** Below the face centre, in face heights, every person of a row shows at least this much (chest). */
const MIN_DEPTH = 1.5;

/**
 * Places cut-outs in one or two rows so that every face ends up the same size, overlapping
 * shoulders like a real group, fitted into `box`. People photographed apart end at different
 * depths (one photo to the waist, another to the chest): each row stands on one ground line, the
 * depth of its shortest opaque cut-out below the faces, and the box's bottom is the front row's
 * line; everyone is cut there (`clipBottom`), so no one floats with a faded hem above it.
 */
export function arrange(
  cuts: readonly CutGeometry[],
  order: readonly number[],
  box: Rect,
  opts: { overlap: number; rows: 1 | 2; maxFace: number; jitter: number },
  rng: Rng,
): PersonPlacement[] {
  const stats = cuts.map(faceStats);
  const unitW = (i: number, s: number) => (cuts[i]!.width / stats[i]!.h) * s;
  const split = opts.rows === 2 ? Math.ceil(order.length / 2) : order.length;
  const rows = opts.rows === 2 ? [order.slice(0, split), order.slice(split)] : [order.slice()];
  const units: Unit[] = [];
  // Depth of each cut's opaque part below its face centre, in face heights.
  const depth = (i: number) => ((cuts[i]!.solidBottom ?? cuts[i]!.height) - stats[i]!.cy) / stats[i]!.h;
  const rowDepth: number[] = [];
  rows.forEach((row, r) => {
    rowDepth[r] = row.length ? Math.max(MIN_DEPTH, Math.min(...row.map(depth))) : MIN_DEPTH;
    // The back row stands a face higher and a little smaller, as if further from the camera.
    const scale = opts.rows === 2 && r === 0 ? 0.9 : 1;
    const faceLine = opts.rows === 2 && r === 0 ? 0 : opts.rows === 2 ? 1.15 : 0;
    let cx = 0;
    const rowUnits: Unit[] = [];
    row.forEach((i, j) => {
      if (j > 0) {
        const prev = row[j - 1]!;
        cx += ((unitW(prev, scale) + unitW(i, scale)) / 2) * (1 - opts.overlap);
      }
      rowUnits.push({ cut: i, cx: cx + rng.range(-opts.jitter, opts.jitter), faceLine: faceLine + rng.range(-opts.jitter, opts.jitter), scale, row: r });
    });
    // Centre each row on x = 0: a back row one longer than the front interleaves by itself.
    const mid = cx / 2;
    for (const u of rowUnits) u.cx -= mid;
    // Rows of equal length are offset by half a place, so every back-row face shows between two
    // front-row heads instead of hiding behind one.
    if (opts.rows === 2 && rows[0]!.length === rows[1]!.length && row.length > 0) {
      const step = (row.reduce((sum, i) => sum + unitW(i, scale), 0) / row.length) * (1 - opts.overlap);
      for (const u of rowUnits) u.cx += (r === 0 ? 1 : -1) * (step / 4);
    }
    units.push(...rowUnits);
  });

  // Bounding box in face-height units, then fit.
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  const rects = units.map((u) => {
    const st = stats[u.cut]!;
    const c = cuts[u.cut]!;
    const k = u.scale / st.h;
    const left = u.cx - st.cx * k;
    const top = u.faceLine - st.cy * k;
    const r = { left, top, width: c.width * k, height: c.height * k };
    // The row's ground line (faces jitter a little; the line does not).
    const ground = (opts.rows === 2 && u.row === 0 ? 0 : opts.rows === 2 ? 1.15 : 0) + rowDepth[u.row]! * u.scale;
    minX = Math.min(minX, left);
    maxX = Math.max(maxX, left + r.width);
    minY = Math.min(minY, top);
    maxY = Math.max(maxY, Math.min(top + r.height, ground));
    return r;
  });
  const F = Math.min(box.w / (maxX - minX), box.h / (maxY - minY), opts.maxFace);
  const offX = box.x + (box.w - (maxX - minX) * F) / 2 - minX * F;
  const offY = box.y + box.h - maxY * F;
  return units.map((u, n) => {
    const r = rects[n]!;
    return {
      cut: u.cut,
      left: Math.round(offX + r.left * F),
      top: Math.round(offY + r.top * F),
      width: Math.max(1, Math.round(r.width * F)),
      height: Math.max(1, Math.round(r.height * F)),
      clipBottom: Math.round(box.y + box.h),
    };
  });
}

/** Largest crop of aspect `aspect` inside the cut, faces at 40 % of its height, centred on them. */
export function faceCrop(c: CutGeometry, aspect: number): Rect {
  const st = faceStats(c);
  let w = c.width;
  let h = w / aspect;
  if (h > c.height) {
    h = c.height;
    w = h * aspect;
  }
  const x = Math.min(Math.max(0, st.cx - w / 2), c.width - w);
  const y = Math.min(Math.max(0, st.cy - 0.4 * h), c.height - h);
  return { x: Math.round(x), y: Math.round(y), w: Math.max(1, Math.floor(w)), h: Math.max(1, Math.floor(h)) };
}

function facesOf(cuts: readonly CutGeometry[], people: readonly PersonPlacement[]): Rect[] {
  const out: Rect[] = [];
  for (const p of people) {
    const c = cuts[p.cut]!;
    const k = p.width / c.width;
    for (const f of c.faces) out.push({ x: p.left + f.x * k, y: p.top + f.y * k, w: f.w * k, h: f.h * k });
  }
  return out;
}

function gridCells(n: number, area: Rect, gap: number): Rect[] {
  const cols = n <= 3 ? n : n === 4 ? 2 : 3;
  const rows = Math.ceil(n / cols);
  const cw = (area.w - gap * (cols - 1)) / cols;
  const ch = (area.h - gap * (rows - 1)) / rows;
  const cells: Rect[] = [];
  for (let i = 0; i < n; i++) {
    const row = Math.floor(i / cols);
    const inRow = row === rows - 1 ? n - row * cols : cols;
    const col = i - row * cols;
    // A short last row is centred.
    const x0 = area.x + (area.w - (inRow * cw + (inRow - 1) * gap)) / 2;
    cells.push({ x: Math.round(x0 + col * (cw + gap)), y: Math.round(area.y + row * (ch + gap)), w: Math.floor(cw), h: Math.floor(ch) });
  }
  return cells;
}

const GRADES: readonly GradeKind[] = ['warm', 'vivid', 'vintage', 'golden'];

/**
 * Variant slots 4–7 (a regeneration) reuse the four layouts; `round` (= floor(index / 4)) makes them
 * visibly new: the family stands in reverse order and each layout gets another layout's grade.
 */
export function planVariant(kind: LayoutKind, cuts: readonly CutGeometry[], style: Style, rng: Rng, W: number, H: number, round = 0): Plan {
  const plan = basePlan(kind, cuts, style, rng, W, H, round % 2 === 1);
  if (round > 0) plan.grade = GRADES[(LAYOUTS.indexOf(kind) + round) % GRADES.length]!;
  return plan;
}

function basePlan(kind: LayoutKind, cuts: readonly CutGeometry[], style: Style, rng: Rng, W: number, H: number, reversed: boolean): Plan {
  const red = '#B3161B';
  const order = cuts.map((_, i) => i);
  if (reversed) order.reverse();
  const n = cuts.length;
  // Size of the full canvas relative to the 1800×1200 design grid.
  const u = W / 1800;
  const R = (x: number, y: number, w: number, h: number): Rect => ({ x: x * u, y: y * (H / 1200), w: w * u, h: h * (H / 1200) });

  switch (kind) {
    case 'row': {
      const people = arrange(cuts, order, R(90, 250, 1620, 950), { overlap: 0.2, rows: n >= 4 ? 2 : 1, maxFace: 250 * u, jitter: 0.08 }, rng);
      const faces = facesOf(cuts, people);
      const left = Math.min(...people.map((p) => p.left));
      const right = Math.max(...people.map((p) => p.left + p.width));
      const under = `<ellipse cx="${(left + right) / 2}" cy="${H}" rx="${(right - left) * 0.62}" ry="${H * 0.28}" fill="#FFE2A0" opacity="0.28"/>`;
      const over = ribbon(W / 2, 46 * u, 600 * u, 130 * u, rng.pick(PHRASES.ribbon), red) + sparkles(rng, W, H * 0.5, 36, faces);
      return { kind, backdrop: { blur: 0, brightness: 1 }, sceneWindow: null, under, people, windows: [], over, grade: 'warm', faces };
    }
    case 'frame': {
      const opening = R(330, 140, 1140, 920);
      const box = { x: opening.x + 30 * u, y: opening.y + 50 * u, w: opening.w - 60 * u, h: opening.h - 50 * u };
      const people = arrange(cuts, order, box, { overlap: 0.22, rows: n >= 3 ? 2 : 1, maxFace: 220 * u, jitter: 0.06 }, rng);
      const faces = facesOf(cuts, people);
      const [l, r] = rng.pick(PHRASES.couplets);
      const over =
        goldFrame(opening, 46 * u) +
        couplet(R(115, 170, 150, 820), l, red) +
        couplet(R(1535, 170, 150, 820), r, red) +
        sparkles(rng, W, H, 40, [...faces, opening]);
      return { kind, backdrop: { blur: 9 * u, brightness: 0.62 }, sceneWindow: opening, under: '', people, windows: [], over, grade: 'vivid', faces };
    }
    case 'scroll': {
      const paper = R(170, 120, 1460, 920);
      // One or two photos leave room on the paper for a couplet written down both sides.
      const side = n <= 2 ? 190 * u : 0;
      const area = { x: paper.x + 80 * u + side, y: paper.y + 70 * u, w: paper.w - 160 * u - 2 * side, h: paper.h - 250 * u };
      if (cuts.every((c) => c.segmented)) {
        // Real cut-outs: the family stands together on the painting, like one group portrait.
        const people = arrange(cuts, order, { x: area.x, y: area.y, w: area.w, h: area.h + 60 * u }, { overlap: 0.24, rows: n >= 3 ? 2 : 1, maxFace: 200 * u, jitter: 0.05 }, rng);
        const faces = facesOf(cuts, people);
        const textY = paper.y + paper.h - 62 * u;
        const under = scroll(paper) + `<rect x="${area.x}" y="${area.y}" width="${area.w}" height="${area.h + 60 * u}" fill="#E9D9B8" opacity="0.45" rx="${14 * u}"/>`;
        const over =
          text(paper.x + paper.w / 2, textY, rng.pick(PHRASES.scroll), 92 * u, { fill: '#7A1212', spacing: 18 * u }) +
          seal(paper.x + paper.w - 220 * u, textY - 92 * u, 104 * u, rng.pick(PHRASES.seal)) +
          sparkles(rng, W, paper.y, 18, faces);
        return { kind, backdrop: { blur: 3 * u, brightness: 0.78 }, sceneWindow: null, under, people, windows: [], over, grade: 'vintage', faces };
      }
      const cells = gridCells(n, area, 50 * u);
      const windows: WindowPlacement[] = cells.map((cell, i) => {
        // Fit the window to the photo's natural shape inside its cell, so faces are never cut.
        const cut = order[i]!;
        const c = cuts[cut]!;
        const natural = c.width / c.height;
        const aspect = Math.min(Math.max(natural, 0.7), 1.6);
        let w = cell.w;
        let h = w / aspect;
        if (h > cell.h) {
          h = cell.h;
          w = h * aspect;
        }
        const rect = { x: Math.round(cell.x + (cell.w - w) / 2), y: Math.round(cell.y + (cell.h - h) / 2), w: Math.floor(w), h: Math.floor(h) };
        return { cut, rect, crop: faceCrop(c, rect.w / rect.h) };
      });
      const faces: Rect[] = [];
      for (const win of windows) {
        const c = cuts[win.cut]!;
        const k = win.rect.w / win.crop.w;
        for (const f of c.faces) faces.push({ x: win.rect.x + (f.x - win.crop.x) * k, y: win.rect.y + (f.y - win.crop.y) * k, w: f.w * k, h: f.h * k });
      }
      const textY = paper.y + paper.h - 62 * u;
      let columns = '';
      if (side > 0) {
        const pair = rng.pick(PHRASES.couplets);
        pair.forEach((line, k) => {
          const x = k === 0 ? paper.x + paper.w - 80 * u - side / 2 : paper.x + 80 * u + side / 2; // right column is read first
          [...line].forEach((ch, j) => {
            columns += text(x, paper.y + 190 * u + j * 150 * u, ch, 110 * u, { fill: '#2B1A12' });
          });
        });
      }
      const under = scroll(paper) + columns + windows.map((w) => windowFrame(w.rect)).join('');
      const over =
        text(paper.x + paper.w / 2, textY, rng.pick(PHRASES.scroll), 92 * u, { fill: '#7A1212', spacing: 18 * u }) +
        seal(paper.x + paper.w - 220 * u, textY - 92 * u, 104 * u, rng.pick(PHRASES.seal)) +
        sparkles(rng, W, paper.y, 18, faces);
      return { kind, backdrop: { blur: 3 * u, brightness: 0.78 }, sceneWindow: null, under, people: [], windows, over, grade: 'vintage', faces };
    }
    case 'moon': {
      const t = 54 * u;
      const people = arrange(cuts, order, R(230, 210, 1340, 1200 - 54 - 210), { overlap: 0.3, rows: n >= 5 ? 2 : 1, maxFace: 240 * u, jitter: 0.05 }, rng);
      const faces = facesOf(cuts, people);
      const cy = Math.min(...faces.map((f) => f.y + f.h / 2)) + 40 * u;
      const under =
        moon(W / 2, Math.max(380 * u, Math.min(cy, 640 * u)), 400 * u) +
        cloud(W / 2 - 620 * u, 720 * u, 1.6 * u, style.palette[0], '#F2C766', 0.9) +
        cloud(W / 2 + 300 * u, 760 * u, 1.5 * u, style.palette[0], '#F2C766', 0.9);
      const over =
        fretBorder(W, H, t, red) +
        couplet({ x: 1620 * u, y: 120 * u, w: 110 * u, h: 560 * u }, rng.pick(PHRASES.moon), red) +
        sparkles(rng, W, H * 0.45, 30, faces);
      return { kind, backdrop: { blur: 0, brightness: 0.92 }, sceneWindow: null, under, people, windows: [], over, grade: 'golden', faces };
    }
  }
}
