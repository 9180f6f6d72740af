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

/**
 * Per-channel gains that pull people a little toward the colour of the scene where they stand, so a
 * photo taken under cold shop lighting does not look pasted onto a warm red backdrop.
 */
async function sceneTint(scene: Buffer, W: number, H: number): Promise<[number, number, number]> {
  const stats = await sharp(scene)
    .extract({ left: Math.round(W * 0.2), top: Math.round(H * 0.35), width: Math.round(W * 0.6), height: Math.round(H * 0.6) })
    .stats();
  const means = stats.channels.slice(0, 3).map((c) => c.mean);
  const avg = (means[0]! + means[1]! + means[2]!) / 3 || 1;
  const gain = (m: number) => Math.min(1.08, Math.max(0.92, 1 + 0.14 * (m / avg - 1)));
  return [gain(means[0]!), gain(means[1]!), gain(means[2]!)];
}

async function personLayers(
  cut: Cutout,
  left: number,
  top: number,
  width: number,
  height: number,
  W: number,
  H: number,
  tint: [number, number, number],
): Promise<OverlayOptions[]> {
  // Join first, resize in a second pipeline: sharp 0.34 skips a downscale when joinChannel is in the same one.
  const joined = await sharp(cut.rgb, { raw: { width: cut.width, height: cut.height, channels: 3 } })
    .joinChannel(cut.alpha, { raw: { width: cut.width, height: cut.height, channels: 1 } })
    .raw()
    .toBuffer();
  const rgba = await sharp(joined, { raw: { width: cut.width, height: cut.height, channels: 4 } })
    .resize(width, height, { fit: 'fill' })
    .linear([...tint, 1], [0, 0, 0, 0])
    .raw()
    .toBuffer();
  if (rgba.length !== width * height * 4) throw new Error(`resize gave ${rgba.length} bytes for ${width}x${height}`);
  // A soft drop shadow grounds the cut-out in the scene (blurred on the alpha channel alone: 4× less work).
  const alphaOnly = Buffer.alloc(width * height);
  for (let p = 0, i = 3; p < alphaOnly.length; p++, i += 4) alphaOnly[p] = rgba[i] ?? 0;
  const faceW = cut.faces[0] ? (cut.faces[0].w * width) / cut.width : width / 4;
  const soft = await sharp(alphaOnly, { raw: { width, height, channels: 1 } })
    .blur(Math.max(2, faceW * 0.12))
    // Without this, sharp hands a one-band raw input back as three-band sRGB.
    .toColourspace('b-w')
    .raw()
    .toBuffer();
  if (soft.length !== width * height) throw new Error(`shadow has ${soft.length} bytes for ${width}x${height}`);
  const blurred = Buffer.alloc(width * height * 4);
  for (let p = 0, i = 3; p < soft.length; p++, i += 4) blurred[i] = (soft[p] ?? 0) >> 1;
  const dx = Math.round(faceW * 0.08);
  const dy = Math.round(faceW * 0.06);
  const layers = await Promise.all([
    rawLayer(blurred, width, height, left + dx, top + dy, W, H),
    rawLayer(rgba, width, height, left, top, W, H),
  ]);
  return layers.filter((l): l is OverlayOptions => l !== null);
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

/** Colour grades: 3×3 channel mixes plus saturation/brightness, each a distinct look. */
function grade(img: sharp.Sharp, kind: GradeKind): sharp.Sharp {
  switch (kind) {
    case 'warm':
      return img
        .recomb([
          [1.06, 0.03, 0],
          [0.01, 1.0, 0],
          [0, 0.02, 0.9],
        ])
        .modulate({ saturation: 1.06, brightness: 1.02 });
    case 'vivid':
      return img.modulate({ saturation: 1.25 }).linear(1.1, -12);
    case 'vintage':
      // Two thirds of the colour plus a third of a sepia tone, slightly lifted blacks.
      return img
        .recomb([
          [0.798, 0.256, 0.063],
          [0.116, 0.895, 0.056],
          [0.091, 0.178, 0.71],
        ])
        .modulate({ saturation: 0.88 })
        .linear(0.94, 14);
    case 'golden':
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

export async function composeVariant({ scene, cuts, plan, width: W, height: H, signal }: ComposeInput): Promise<Buffer> {
  let backdrop = sharp(scene);
  if (plan.backdrop.blur > 0) backdrop = backdrop.blur(plan.backdrop.blur);
  if (plan.backdrop.brightness !== 1) backdrop = backdrop.linear(plan.backdrop.brightness, 0);
  const base = await backdrop.removeAlpha().raw().toBuffer();
  signal.throwIfAborted();

  const layers: OverlayOptions[] = [];
  if (plan.sceneWindow) {
    const r = plan.sceneWindow;
    const rect = { left: Math.round(r.x), top: Math.round(r.y), width: Math.round(r.w), height: Math.round(r.h) };
    layers.push({ input: await sharp(scene).extract(rect).png({ compressionLevel: 1 }).toBuffer(), left: rect.left, top: rect.top });
  }
  if (plan.under) layers.push({ input: Buffer.from(svgDoc(W, H, plan.under)), left: 0, top: 0 });
  const tint = plan.people.length ? await sceneTint(scene, W, H) : ([1, 1, 1] as [number, number, number]);
  for (const p of plan.people) {
    const cut = cuts[p.cut];
    if (cut) layers.push(...(await personLayers(cut, p.left, p.top, p.width, p.height, W, H, tint)));
    signal.throwIfAborted();
  }
  for (const w of plan.windows) {
    const cut = cuts[w.cut];
    if (cut) layers.push(...(await windowLayer(cut, w.crop, w.rect, W, H)));
  }
  if (plan.over) layers.push({ input: Buffer.from(svgDoc(W, H, plan.over)), left: 0, top: 0 });
  signal.throwIfAborted();

  const composed = await sharp(base, { raw: { width: W, height: H, channels: 3 } }).composite(layers).removeAlpha().raw().toBuffer();
  signal.throwIfAborted();
  return grade(sharp(composed, { raw: { width: W, height: H, channels: 3 } }), plan.grade)
    .jpeg({ quality: 90, chromaSubsampling: '4:4:4' })
    .toBuffer();
}
