// Draws one planned variant: backdrop → decorations under → shadows and people (or photo windows)
// → decorations over → colour grade → JPEG. Everything is sharp (libvips), so one variant takes a
// few hundred milliseconds on a kiosk PC and never blocks the main thread for long.
import sharp, { type OverlayOptions } from 'sharp';
import type { Plan, GradeKind } from './layouts';
import type { Rect } from './ornaments';
import { svgDoc } from './ornaments';
import type { Cutout } from './people';

function clipToCanvas(left: number, top: number, w: number, h: number, W: number, H: number): Rect | null {
  const x0 = Math.max(0, left);
  const y0 = Math.max(0, top);
  const x1 = Math.min(W, left + w);
  const y1 = Math.min(H, top + h);
  if (x1 <= x0 || y1 <= y0) return null;
  return { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
}

/** A raw RGBA layer placed at (left, top), cropped to the canvas (sharp wants it inside). */
async function rawLayer(data: Buffer, w: number, h: number, left: number, top: number, W: number, H: number): Promise<OverlayOptions | null> {
  const vis = clipToCanvas(left, top, w, h, W, H);
  if (!vis) return null;
  if (vis.w === w && vis.h === h) return { input: data, raw: { width: w, height: h, channels: 4 }, left, top };
  const cropped = await sharp(data, { raw: { width: w, height: h, channels: 4 } })
    .extract({ left: vis.x - left, top: vis.y - top, width: vis.w, height: vis.h })
    .raw()
    .toBuffer();
  return { input: cropped, raw: { width: vis.w, height: vis.h, channels: 4 }, left: vis.x, top: vis.y };
}

/** A style's scene decoded once (raw RGB) with the mean colour where the people stand. */
interface PreparedScene {
  raw: Buffer;
  means: [number, number, number];
}

// The scene PNG is cached per style (scene.ts); its decoded form and the dimmed/blurred backdrops
// are cached here, per scene buffer, so the four variants (and the next family) skip the decode,
// the statistics and the blur. A few backdrops only: each is W×H×3 bytes.
const prepared = new WeakMap<Buffer, Promise<PreparedScene>>();
const backdrops = new Map<string, Promise<Buffer>>();
const MAX_BACKDROPS = 4;
const sceneIds = new WeakMap<Buffer, number>();
let nextSceneId = 0;

function prepareScene(scene: Buffer, W: number, H: number): Promise<PreparedScene> {
  let hit = prepared.get(scene);
  if (!hit) {
    hit = (async () => {
      const raw = await sharp(scene).removeAlpha().raw().toBuffer();
      if (raw.length !== W * H * 3) throw new Error(`scene is ${raw.length} bytes, not ${W}x${H}`);
      // Mean colour of the scene's lower middle, 0..255 per channel.
      const stats = await sharp(raw, { raw: { width: W, height: H, channels: 3 } })
        .extract({ left: Math.round(W * 0.2), top: Math.round(H * 0.35), width: Math.round(W * 0.6), height: Math.round(H * 0.6) })
        .stats();
      const m = stats.channels.slice(0, 3).map((c) => c.mean);
      return { raw, means: [m[0]!, m[1]!, m[2]!] as [number, number, number] };
    })();
    prepared.set(scene, hit);
    hit.catch(() => prepared.delete(scene));
  }
  return hit;
}

/** The scene blurred and dimmed as a layout wants it behind the people (raw RGB), least recently used dropped. */
function backdropFor(scene: Buffer, ps: PreparedScene, W: number, H: number, blur: number, brightness: number): Promise<Buffer> {
  if (blur <= 0 && brightness === 1) return Promise.resolve(ps.raw);
  let id = sceneIds.get(scene);
  if (id === undefined) sceneIds.set(scene, (id = nextSceneId++));
  const key = `${id}|${blur}|${brightness}`;
  let hit = backdrops.get(key);
  if (hit) backdrops.delete(key);
  else {
    let img = sharp(ps.raw, { raw: { width: W, height: H, channels: 3 } });
    if (blur > 0) img = img.blur(blur);
    if (brightness !== 1) img = img.linear(brightness, 0);
    hit = img.raw().toBuffer();
    const failed = hit;
    hit.catch(() => backdrops.get(key) === failed && backdrops.delete(key));
  }
  backdrops.set(key, hit); // most recently used last
  while (backdrops.size > MAX_BACKDROPS) backdrops.delete(backdrops.keys().next().value!);
  return hit;
}

/**
 * Brightness, contrast and colour of a cut-out's faces: the skin shows the exposure and the
 * light's cast, and it is what a viewer compares between people (clothes would mislead: an orange
 * suit is not an orange light, and an outfit re-colours them).
 */
export function personStats(cut: Cutout): { face: [number, number, number]; lum: number; sd: number } {
  const face: [number, number, number] = [0, 0, 0];
  let n = 0;
  let l2 = 0;
  for (const f of cut.faces) {
    for (let y = Math.max(0, Math.round(f.y + f.h * 0.3)); y < Math.min(cut.height, Math.round(f.y + f.h * 0.8)); y += 2) {
      for (let x = Math.max(0, Math.round(f.x + f.w * 0.25)); x < Math.min(cut.width, Math.round(f.x + f.w * 0.75)); x += 2) {
        const i = (y * cut.width + x) * 3;
        const r = cut.rgb[i] ?? 0;
        const g = cut.rgb[i + 1] ?? 0;
        const b = cut.rgb[i + 2] ?? 0;
        face[0] += r;
        face[1] += g;
        face[2] += b;
        const L = 0.299 * r + 0.587 * g + 0.114 * b;
        l2 += L * L;
        n++;
      }
    }
  }
  if (n === 0) return { face: [128, 128, 128], lum: 128, sd: 30 };
  for (let c = 0; c < 3; c++) face[c] = face[c]! / n;
  const lum = 0.299 * face[0] + 0.587 * face[1] + 0.114 * face[2];
  return { face, lum, sd: Math.sqrt(Math.max(0, l2 / n - lum * lum)) };
}

export type Gains = { mul: [number, number, number]; add: [number, number, number] };

const castOf = (c: readonly number[]): number[] => {
  const l = 0.299 * c[0]! + 0.587 * c[1]! + 0.114 * c[2]! || 1;
  return c.map((v) => v / l);
};

/**
 * Colour and brightness transfer so people photographed apart look lit by one light in one
 * scene: every person's luminance mean and contrast move to the family's common values (pulled a
 * little toward the scene's brightness), and each face's colour cast moves to the family's
 * average skin cast plus a fifth of the scene's (a warm red hall warms everyone alike; one photo
 * under a cold shop light no longer stands out). Per-channel linear gains, bounded to ±10 %.
 */
export function colourMatch(people: ReturnType<typeof personStats>[], scene: [number, number, number]): Gains[] {
  const sceneLum = 0.299 * scene[0] + 0.587 * scene[1] + 0.114 * scene[2] || 1;
  const famLum = people.reduce((s, p) => s + p.lum, 0) / Math.max(1, people.length);
  const famSd = people.reduce((s, p) => s + p.sd, 0) / Math.max(1, people.length);
  const targetLum = Math.min(185, Math.max(105, 0.85 * famLum + 0.15 * sceneLum));
  const sceneCast = castOf(scene);
  const casts = people.map((p) => castOf(p.face));
  const famCast = [0, 1, 2].map((c) => casts.reduce((s, k) => s + k[c]!, 0) / Math.max(1, casts.length));
  return people.map((p, n) => {
    const contrast = Math.min(1.2, Math.max(0.85, (famSd || 1) / (p.sd || 1)));
    const mul: [number, number, number] = [0, 0, 0];
    const add: [number, number, number] = [0, 0, 0];
    for (let c = 0; c < 3; c++) {
      const want = 0.85 * famCast[c]! + 0.15 * famCast[c]! * sceneCast[c]!;
      const castGain = Math.min(1.1, Math.max(0.9, want / (casts[n]![c] || 1)));
      const k = contrast * castGain;
      mul[c] = k;
      add[c] = (targetLum - p.lum * contrast) * castGain;
    }
    return { mul, add };
  });
}

async function personLayers(
  cut: Cutout,
  left: number,
  top: number,
  width: number,
  height: number,
  W: number,
  H: number,
  gains: Gains,
  ground: boolean,
  clipBottom: number | undefined,
): Promise<{ shadows: OverlayOptions[]; person: OverlayOptions | null }> {
  // Join first, resize in a second pipeline: sharp 0.34 skips a downscale when joinChannel is in the same one.
  const joined = await sharp(cut.rgb, { raw: { width: cut.width, height: cut.height, channels: 3 } })
    .joinChannel(cut.alpha, { raw: { width: cut.width, height: cut.height, channels: 1 } })
    .raw()
    .toBuffer();
  const rgba = await sharp(joined, { raw: { width: cut.width, height: cut.height, channels: 4 } })
    .resize(width, height, { fit: 'fill' })
    .linear([...gains.mul, 1], [...gains.add, 0])
    .raw()
    .toBuffer();
  if (rgba.length !== width * height * 4) throw new Error(`resize gave ${rgba.length} bytes for ${width}x${height}`);
  // Nothing of the person below the common ground line.
  if (clipBottom !== undefined && clipBottom - top < height) rgba.fill(0, Math.max(0, clipBottom - top) * width * 4);
  // A soft drop shadow grounds the cut-out in the scene (blurred on the alpha channel alone: 4× less work).
  const alphaOnly = Buffer.alloc(width * height);
  for (let p = 0, i = 3; p < alphaOnly.length; p++, i += 4) alphaOnly[p] = rgba[i] ?? 0;
  const faceW = cut.faces[0] ? (cut.faces[0].w * width) / cut.width : width / 4;
  // A soft shadow has no detail: blurred at a quarter of the size (16× fewer pixels, a quarter of
  // the kernel) and scaled back, it looks the same and costs a fraction.
  const q = Math.max(1, Math.min(4, Math.floor((faceW * 0.12) / 2)));
  const qw = Math.max(1, Math.round(width / q));
  const qh = Math.max(1, Math.round(height / q));
  const small = await sharp(alphaOnly, { raw: { width, height, channels: 1 } })
    .resize(qw, qh, { fit: 'fill' })
    .blur(Math.max(0.6, (faceW * 0.12) / q))
    // Without this, sharp hands a one-band raw input back as three-band sRGB.
    .toColourspace('b-w')
    .raw()
    .toBuffer();
  const soft = q === 1 ? small : await sharp(small, { raw: { width: qw, height: qh, channels: 1 } }).resize(width, height, { fit: 'fill' }).toColourspace('b-w').raw().toBuffer();
  if (soft.length !== width * height) throw new Error(`shadow has ${soft.length} bytes for ${width}x${height}`);
  const blurred = Buffer.alloc(width * height * 4);
  for (let p = 0, i = 3; p < soft.length; p++, i += 4) blurred[i] = (soft[p] ?? 0) >> 1;
  const dx = Math.round(faceW * 0.08);
  const dy = Math.round(faceW * 0.06);
  const [contact, drop, person] = await Promise.all([
    ground ? contactShadow(alphaOnly, width, height, left, top, W, H, faceW) : Promise.resolve(null),
    rawLayer(blurred, width, height, left + dx, top + dy, W, H),
    rawLayer(rgba, width, height, left, top, W, H),
  ]);
  return { shadows: [contact, drop].filter((l): l is OverlayOptions => l !== null), person };
}

/**
 * A soft contact shadow where the person meets the ground: a dark, wide, flat ellipse under the
 * lowest opaque row of the cut-out (its width that row's extent). Without it a cut-out floats.
 */
async function contactShadow(alpha: Buffer, width: number, height: number, left: number, top: number, W: number, H: number, faceW: number): Promise<OverlayOptions | null> {
  let bottom = -1;
  let x0 = width;
  let x1 = -1;
  for (let y = height - 1; y >= 0 && bottom < 0; y--) {
    for (let x = 0; x < width; x++) {
      if ((alpha[y * width + x] ?? 0) > 128) {
        bottom = y;
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
      }
    }
  }
  if (bottom < 0 || x1 <= x0) return null;
  const cx = left + (x0 + x1) / 2;
  const cy = top + bottom;
  if (cy > H + faceW) return null; // the ground is below the picture
  const rx = ((x1 - x0) / 2) * 1.1 + faceW * 0.3;
  const ry = Math.max(6, faceW * 0.22);
  // Drawn in its own box (the ellipse plus its blur), not on a canvas-sized SVG: the filter then
  // runs on those pixels only.
  const m = ry * 2;
  const bx = Math.floor(cx - rx - m);
  const by = Math.floor(cy - ry - m);
  const bw = Math.ceil(2 * (rx + m));
  const bh = Math.ceil(2 * (ry + m));
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${bw}" height="${bh}"><defs><filter id="b" x="-50%" y="-50%" width="200%" height="200%">` +
    `<feGaussianBlur stdDeviation="${ry * 0.6}"/></filter></defs>` +
    `<ellipse cx="${cx - bx}" cy="${cy - by}" rx="${rx}" ry="${ry}" fill="#1a0d05" opacity="0.45" filter="url(#b)"/></svg>`;
  const { data, info } = await sharp(Buffer.from(svg)).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return rawLayer(data, info.width, info.height, bx, by, W, H);
}

async function windowLayer(cut: Cutout, crop: Rect, rect: Rect, W: number, H: number): Promise<OverlayOptions[]> {
  const rad = Math.min(rect.w, rect.h) * 0.08;
  const corners = Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${rect.w}" height="${rect.h}"><rect width="${rect.w}" height="${rect.h}" rx="${rad}" fill="#fff"/></svg>`,
  );
  const rgba = await sharp(cut.rgb, { raw: { width: cut.width, height: cut.height, channels: 3 } })
    .extract({ left: crop.x, top: crop.y, width: crop.w, height: crop.h })
    .resize(rect.w, rect.h, { fit: 'fill' })
    .ensureAlpha()
    .composite([{ input: corners, blend: 'dest-in' }])
    .raw()
    .toBuffer();
  const layer = await rawLayer(rgba, rect.w, rect.h, rect.x, rect.y, W, H);
  return layer ? [layer] : [];
}

type Matrix = [[number, number, number], [number, number, number], [number, number, number]];

const IDENTITY: Matrix = [
  [1, 0, 0],
  [0, 1, 0],
  [0, 0, 1],
];

/**
 * gain × saturation(s) × m as one 3×3 channel mix. Saturation in RGB (each channel pulled toward
 * or pushed from the pixel's luma) instead of sharp's modulate, which goes through LCh and back
 * and cost more than the JPEG encode; for these gentle grades the two look alike.
 */
function mix(m: Matrix, s: number, gain: number): Matrix {
  const w = [0.299, 0.587, 0.114];
  const sat = [0, 1, 2].map((r) => [0, 1, 2].map((c) => (1 - s) * w[c]! + (r === c ? s : 0)));
  return [0, 1, 2].map((r) => [0, 1, 2].map((c) => gain * (sat[r]![0]! * m[0]![c]! + sat[r]![1]! * m[1]![c]! + sat[r]![2]! * m[2]![c]!))) as Matrix;
}

/** Colour grades: 3×3 channel mixes (saturation and brightness folded in), each a distinct look. */
function grade(img: sharp.Sharp, kind: GradeKind): sharp.Sharp {
  switch (kind) {
    case 'warm':
      return img.recomb(
        mix(
          [
            [1.06, 0.03, 0],
            [0.01, 1.0, 0],
            [0, 0.02, 0.9],
          ],
          1.06,
          1.02,
        ),
      );
    case 'vivid':
      return img.recomb(mix(IDENTITY, 1.25, 1.1)).linear(1, -12);
    case 'vintage':
      // Two thirds of the colour plus a third of a sepia tone, slightly lifted blacks.
      return img
        .recomb(
          mix(
            [
              [0.798, 0.256, 0.063],
              [0.116, 0.895, 0.056],
              [0.091, 0.178, 0.71],
            ],
            0.88,
            0.94,
          ),
        )
        .linear(1, 14);
    case 'golden':
      // modulate stays here: sharp's gamma lifts the mid-tones only on the 8-bit picture it hands back.
      return img
        .recomb([
          [1.05, 0.04, 0],
          [0.02, 1.02, 0],
          [0, 0, 0.93],
        ])
        .modulate({ brightness: 1.05, saturation: 1.1 })
        .gamma(2.2, 2.05);
  }
}

export interface ComposeInput {
  scene: Buffer;
  cuts: readonly Cutout[];
  plan: Plan;
  width: number;
  height: number;
  signal: AbortSignal;
}

/**
 * What the local 微动态 needs to move the scene but not the people: `stillMask` (one-band PNG,
 * output size, 255 where the picture must stay still: the people, photo windows and the
 * decorations in front of them) and `scene` (JPEG, output size: the same picture, graded alike,
 * with the people taken out, their shadows kept).
 */
export interface MotionLayers {
  stillMask: Buffer;
  scene: Buffer;
}

export interface ComposedVariant {
  image: Buffer;
  /** Built on request, after the variant is on screen: it costs a second composite. */
  layers: () => Promise<MotionLayers>;
}

export async function composeVariant({ scene, cuts, plan, width: W, height: H, signal }: ComposeInput): Promise<ComposedVariant> {
  const ps = await prepareScene(scene, W, H);
  const base = await backdropFor(scene, ps, W, H, plan.backdrop.blur, plan.backdrop.brightness);
  signal.throwIfAborted();

  const layers: OverlayOptions[] = [];
  // The still layers (people, photo windows, decorations over them): the 微动态 holds them steady.
  const still: OverlayOptions[] = [];
  if (plan.sceneWindow) {
    const r = plan.sceneWindow;
    const rect = { left: Math.round(r.x), top: Math.round(r.y), width: Math.round(r.w), height: Math.round(r.h) };
    const crop = await sharp(ps.raw, { raw: { width: W, height: H, channels: 3 } }).extract(rect).raw().toBuffer();
    layers.push({ input: crop, raw: { width: rect.width, height: rect.height, channels: 3 }, left: rect.left, top: rect.top });
  }
  if (plan.under) layers.push({ input: Buffer.from(svgDoc(W, H, plan.under)), left: 0, top: 0 });
  const means = plan.people.length ? ps.means : ([128, 128, 128] as [number, number, number]);
  const gains = colourMatch(cuts.map(personStats), means);
  for (const p of plan.people) {
    const cut = cuts[p.cut];
    // Only a real cut-out stands on the ground; the vignette fades out and has no feet.
    if (cut) {
      const l = await personLayers(cut, p.left, p.top, p.width, p.height, W, H, gains[p.cut]!, cut.ground === true, p.clipBottom);
      layers.push(...l.shadows);
      if (l.person) {
        layers.push(l.person);
        still.push(l.person);
      }
    }
    signal.throwIfAborted();
  }
  for (const w of plan.windows) {
    const cut = cuts[w.cut];
    if (cut) {
      const l = await windowLayer(cut, w.crop, w.rect, W, H);
      layers.push(...l);
      still.push(...l);
    }
  }
  if (plan.over) {
    const over = { input: Buffer.from(svgDoc(W, H, plan.over)), left: 0, top: 0 };
    layers.push(over);
    still.push(over);
  }
  signal.throwIfAborted();

  const composed = await sharp(base, { raw: { width: W, height: H, channels: 3 } }).composite(layers).removeAlpha().raw().toBuffer();
  signal.throwIfAborted();
  const image = await grade(sharp(composed, { raw: { width: W, height: H, channels: 3 } }), plan.grade)
    .jpeg({ quality: 90, chromaSubsampling: '4:4:4' })
    .toBuffer();
  // The scene without the people: the backdrop, its decorations and the people's shadows.
  const underPeople = layers.filter((l) => !still.includes(l));
  return {
    image,
    layers: async () => {
      const bare = await sharp(base, { raw: { width: W, height: H, channels: 3 } }).composite(underPeople).removeAlpha().raw().toBuffer();
      const sceneJpeg = await grade(sharp(bare, { raw: { width: W, height: H, channels: 3 } }), plan.grade).jpeg({ quality: 90 }).toBuffer();
      const stillMask = await sharp({ create: { width: W, height: H, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
        .composite(still)
        .extractChannel(3)
        .toColourspace('b-w')
        .png({ compressionLevel: 3 })
        .toBuffer();
      return { stillMask, scene: sceneJpeg };
    },
  };
}
