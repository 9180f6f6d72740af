// 唐装 / 旗袍 in the local generator is a decorative treatment, not clothing synthesis (that needs the
// AI provider): below each chin the garment area is re-coloured keeping its light and folds
// (luminance kept, hue/saturation replaced), then a gold mandarin collar, the garment's opening and
// frog buttons (盘扣) are drawn on, with a faint brocade pattern. Faces are never touched.
import sharp from 'sharp';
import type { FaceBox } from '../../../../shared/contract';

export type OutfitKind = 'tangzhuang' | 'qipao';

export function outfitKind(id: string | null): OutfitKind | null {
  return id === 'tangzhuang' || id === 'qipao' ? id : null;
}

const GARMENT: Record<OutfitKind, { rgb: [number, number, number]; trim: string; motif: string }> = {
  tangzhuang: { rgb: [178, 24, 30], trim: '#F0C75E', motif: '#F6D77A' },
  qipao: { rgb: [120, 22, 60], trim: '#F2CC6B', motif: '#FFD9E4' },
};

interface Geometry {
  cx: number;
  w: number;
  collarTop: number;
  shoulderY: number;
}

function geometry(f: FaceBox): Geometry {
  return { cx: f.x + f.w / 2, w: f.w, collarTop: f.y + 1.32 * f.h, shoulderY: f.y + 2.05 * f.h };
}

function garmentPath(g: Geometry, bottom: number): string {
  const { cx, w, collarTop, shoulderY } = g;
  return (
    `M${cx - 0.55 * w},${collarTop} Q${cx},${collarTop + 0.22 * w} ${cx + 0.55 * w},${collarTop} ` +
    `Q${cx + 0.95 * w},${shoulderY - 0.25 * w} ${cx + 1.95 * w},${shoulderY} L${cx + 2.4 * w},${bottom} ` +
    `L${cx - 2.4 * w},${bottom} L${cx - 1.95 * w},${shoulderY} Q${cx - 0.95 * w},${shoulderY - 0.25 * w} ${cx - 0.55 * w},${collarTop} Z`
  );
}

function frogButton(x: number, y: number, w: number, colour: string): string {
  const s = 0.026 * w;
  return (
    `<g fill="none" stroke="${colour}" stroke-width="${s}" stroke-linecap="round">` +
    `<ellipse cx="${x - 0.17 * w}" cy="${y}" rx="${0.15 * w}" ry="${0.05 * w}"/>` +
    `<ellipse cx="${x + 0.17 * w}" cy="${y}" rx="${0.15 * w}" ry="${0.05 * w}"/></g>` +
    `<circle cx="${x}" cy="${y}" r="${0.055 * w}" fill="${colour}"/>`
  );
}

function plumBlossom(x: number, y: number, r: number, colour: string): string {
  let petals = '';
  for (let i = 0; i < 5; i++) {
    const a = (i * 2 * Math.PI) / 5 - Math.PI / 2;
    petals += `<circle cx="${x + Math.cos(a) * r}" cy="${y + Math.sin(a) * r}" r="${r * 0.62}"/>`;
  }
  return `<g fill="${colour}">${petals}</g><circle cx="${x}" cy="${y}" r="${r * 0.35}" fill="#F2CC6B"/>`;
}

function trimSvg(width: number, height: number, faces: readonly FaceBox[], kind: OutfitKind): string {
  const { trim, motif } = GARMENT[kind];
  const parts: string[] = [];
  faces.forEach((f, i) => {
    const g = geometry(f);
    const { cx, w, collarTop } = g;
    const clip = `g${i}`;
    parts.push(`<clipPath id="${clip}"><path d="${garmentPath(g, height)}"/></clipPath>`);
    // Brocade motif, faint, inside the garment only.
    let pattern = '';
    const step = 0.7 * w;
    for (let y = collarTop + 0.4 * w, row = 0; y < height; y += step, row++) {
      for (let x = cx - 2.4 * w + (row % 2) * step * 0.5; x < cx + 2.4 * w; x += step) {
        pattern +=
          kind === 'tangzhuang'
            ? `<circle cx="${x}" cy="${y}" r="${0.17 * w}" fill="none" stroke="${motif}" stroke-width="${0.03 * w}"/><circle cx="${x}" cy="${y}" r="${0.05 * w}" fill="${motif}"/>`
            : plumBlossom(x, y, 0.08 * w, motif);
      }
    }
    parts.push(`<g clip-path="url(#${clip})" opacity="0.32">${pattern}</g>`);
    // Mandarin collar: a gold band around the neckline.
    parts.push(
      `<path d="M${cx - 0.6 * w},${collarTop - 0.02 * w} Q${cx},${collarTop + 0.24 * w} ${cx + 0.6 * w},${collarTop - 0.02 * w}" fill="none" stroke="${trim}" stroke-width="${0.085 * w}" stroke-linecap="round"/>`,
    );
    if (kind === 'tangzhuang') {
      // Centre-front opening with a column of frog buttons.
      parts.push(`<line x1="${cx}" y1="${collarTop + 0.12 * w}" x2="${cx}" y2="${height}" stroke="${trim}" stroke-width="${0.03 * w}"/>`);
      for (let y = collarTop + 0.45 * w; y < height - 0.1 * w; y += 0.55 * w) parts.push(frogButton(cx, y, w, trim));
    } else {
      // The qipao's curved opening from the collar to the right armpit, two frog buttons on it.
      const ex = cx + 1.15 * w;
      const ey = g.shoulderY + 0.45 * w;
      parts.push(
        `<path d="M${cx},${collarTop + 0.12 * w} Q${cx + 0.75 * w},${collarTop + 0.3 * w} ${ex},${ey}" fill="none" stroke="${trim}" stroke-width="${0.035 * w}"/>`,
      );
      parts.push(frogButton(cx + 0.38 * w, collarTop + 0.22 * w, w, trim));
      parts.push(frogButton(cx + 0.95 * w, g.shoulderY + 0.1 * w, w, trim));
    }
  });
  const defs = parts.filter((p) => p.startsWith('<clipPath'));
  const body = parts.filter((p) => !p.startsWith('<clipPath'));
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><defs>${defs.join('')}</defs>${body.join('')}</svg>`;
}

function garmentMaskSvg(width: number, height: number, faces: readonly FaceBox[]): string {
  const blur = Math.max(1, 0.06 * Math.min(...faces.map((f) => f.w)));
  const paths = faces.map((f) => `<path d="${garmentPath(geometry(f), height)}"/>`).join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
    `<defs><filter id="soft" x="-10%" y="-10%" width="120%" height="120%"><feGaussianBlur stdDeviation="${blur}"/></filter></defs>` +
    `<g fill="#fff" filter="url(#soft)">${paths}</g></svg>`
  );
}

/** Skin tones (YCbCr box, Chai & Ngan): hands and necks keep their colour inside the garment area. */
function skinLike(r: number, g: number, b: number): boolean {
  const cb = 128 - 0.168736 * r - 0.331264 * g + 0.5 * b;
  const cr = 128 + 0.5 * r - 0.418688 * g - 0.081312 * b;
  return cb >= 77 && cb <= 127 && cr >= 133 && cr <= 173;
}

/**
 * The garment follows the person's own body mask: every pixel of the person below the collar
 * line of the face whose column it is in, except skin (hands, neck). Softened by a small blur so
 * the fabric's edge is the body's edge, not a drawn trapezoid.
 */
async function bodyGarmentMask(rgb: Buffer, alpha: Buffer, width: number, height: number, faces: readonly FaceBox[]): Promise<Buffer> {
  const m = Buffer.alloc(width * height);
  const geo = faces.map(geometry);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      const a = alpha[p] ?? 0;
      if (a < 8) continue;
      let best: Geometry | null = null;
      for (const g of geo) if (!best || Math.abs(g.cx - x) < Math.abs(best.cx - x)) best = g;
      if (!best || Math.abs(best.cx - x) > 2.8 * best.w) continue;
      // The neckline dips in the middle, like the drawn collar.
      const dx = (x - best.cx) / best.w;
      const line = best.collarTop + 0.22 * best.w * Math.max(0, 1 - dx * dx * 3);
      if (y < line) continue;
      const i = p * 3;
      if (skinLike(rgb[i] ?? 0, rgb[i + 1] ?? 0, rgb[i + 2] ?? 0)) continue;
      m[p] = a;
    }
  }
  const blur = Math.max(0.8, 0.03 * Math.min(...faces.map((f) => f.w)));
  const soft = await sharp(m, { raw: { width, height, channels: 1 } }).blur(blur).toColourspace('b-w').raw().toBuffer();
  if (soft.length !== width * height) throw new Error(`garment mask does not match ${width}x${height}`);
  return soft;
}

/**
 * Returns a new raw RGB buffer (same size) with the outfit treatment applied under every face.
 * With the person's `alpha` (a real cut-out) the garment follows the body; without it (the
 * vignette fallback) it is the drawn garment shape.
 */
export async function applyOutfit(
  rgb: Buffer,
  width: number,
  height: number,
  faces: readonly FaceBox[],
  kind: OutfitKind,
  alpha?: Buffer,
): Promise<Buffer> {
  if (faces.length === 0) return rgb;
  const mask = alpha
    ? await bodyGarmentMask(rgb, alpha, width, height, faces)
    : await sharp(Buffer.from(garmentMaskSvg(width, height, faces)))
        .ensureAlpha()
        .extractChannel(3)
        .raw()
        .toBuffer();
  if (mask.length !== width * height) throw new Error(`garment mask does not match ${width}x${height}`);
  const [cr, cg, cb] = GARMENT[kind].rgb;
  const out = Buffer.from(rgb);
  for (let p = 0, i = 0; p < mask.length; p++, i += 3) {
    const m = ((mask[p] ?? 0) / 255) * 0.88;
    if (m <= 0) continue;
    const r = out[i] ?? 0;
    const g = out[i + 1] ?? 0;
    const b = out[i + 2] ?? 0;
    // Keep the fabric's light and folds: the new colour scaled by the old luminance.
    const lum = (0.299 * r + 0.587 * g + 0.114 * b) / 255;
    const shade = 0.38 + 1.05 * lum;
    out[i] = Math.min(255, r * (1 - m) + Math.min(255, cr * shade) * m);
    out[i + 1] = Math.min(255, g * (1 - m) + Math.min(255, cg * shade) * m);
    out[i + 2] = Math.min(255, b * (1 - m) + Math.min(255, cb * shade) * m);
  }
  return sharp(out, { raw: { width, height, channels: 3 } })
    .composite([{ input: Buffer.from(trimSvg(width, height, faces, kind)), left: 0, top: 0 }])
    .removeAlpha()
    .raw()
    .toBuffer();
}
