// Particle sprites, drawn once per (shape, colour, size, angle) from SVG with sharp and kept as
// premultiplied RGBA so the per-frame compositing is a few integer multiplies per pixel.
import sharp from 'sharp';
import type { SpriteShape } from './effects';

export interface Sprite {
  width: number;
  height: number;
  /** Premultiplied RGBA, row-major. */
  data: Uint8Array;
}

function glow(id: string, colour: string, core: string, coreStop: number): string {
  return `<radialGradient id="${id}" cx="50%" cy="50%" r="50%">
    <stop offset="0" stop-color="${core}" stop-opacity="1"/>
    <stop offset="${coreStop}" stop-color="${colour}" stop-opacity="0.95"/>
    <stop offset="0.55" stop-color="${colour}" stop-opacity="0.35"/>
    <stop offset="1" stop-color="${colour}" stop-opacity="0"/>
  </radialGradient>`;
}

/** SVG body of a shape in a 100×(100·aspect) box; returns [defs+shape, aspect]. */
function shapeSvg(shape: SpriteShape, colour: string): { body: string; aspect: number } {
  switch (shape) {
    case 'dot':
      return { body: `<defs>${glow('g', colour, colour, 0.25)}</defs><circle cx="50" cy="50" r="50" fill="url(#g)"/>`, aspect: 1 };
    case 'spark':
      return { body: `<defs>${glow('g', colour, '#ffffff', 0.18)}</defs><circle cx="50" cy="50" r="50" fill="url(#g)"/>`, aspect: 1 };
    case 'snowflake': {
      const arms = [0, 60, 120]
        .map(
          (a) => `<g transform="rotate(${a} 50 50)"><line x1="50" y1="6" x2="50" y2="94"/>
            <polyline points="38,18 50,28 62,18" fill="none"/><polyline points="38,82 50,72 62,82" fill="none"/></g>`,
        )
        .join('');
      return {
        body: `<g stroke="${colour}" stroke-width="7" stroke-linecap="round" stroke-opacity="0.95">${arms}</g>
          <circle cx="50" cy="50" r="9" fill="${colour}"/>`,
        aspect: 1,
      };
    }
    case 'lantern':
      // A round red lantern: gold caps, ribs, a string above and a tassel below (box 100×150).
      return {
        body: `<defs><radialGradient id="l" cx="45%" cy="40%" r="60%">
            <stop offset="0" stop-color="#ffd27a"/><stop offset="0.35" stop-color="${colour}"/><stop offset="1" stop-color="#7a0c10"/>
          </radialGradient></defs>
          <line x1="50" y1="0" x2="50" y2="22" stroke="#b8860b" stroke-width="3"/>
          <rect x="32" y="20" width="36" height="12" rx="3" fill="#e0a526"/>
          <ellipse cx="50" cy="72" rx="48" ry="42" fill="url(#l)"/>
          <g fill="none" stroke="#ffcf5a" stroke-opacity="0.55" stroke-width="2">
            <ellipse cx="50" cy="72" rx="16" ry="42"/><ellipse cx="50" cy="72" rx="33" ry="42"/></g>
          <rect x="32" y="110" width="36" height="10" rx="3" fill="#e0a526"/>
          <g stroke="#f2b233" stroke-width="3"><line x1="44" y1="120" x2="42" y2="148"/><line x1="50" y1="120" x2="50" y2="150"/>
            <line x1="56" y1="120" x2="58" y2="148"/></g>`,
        aspect: 1.5,
      };
    case 'fu':
      // 福 on a red diamond with a gold border (the character upside down is a pun on "fortune arrives"; we keep it upright).
      return {
        body: `<g transform="rotate(45 50 50)"><rect x="17" y="17" width="66" height="66" rx="4" fill="${colour}"
            stroke="#f5c542" stroke-width="4"/></g>
          <text x="50" y="66" text-anchor="middle" font-size="46" font-weight="bold"
            font-family="Noto Serif CJK SC, Noto Sans CJK SC, Noto Sans CJK, serif" fill="#ffd34d">福</text>`,
        aspect: 1,
      };
  }
}

/** Renders one sprite `width` px wide, rotated by `angleDeg` about its centre (the canvas grows to fit). */
export async function renderSprite(shape: SpriteShape, colour: string, width: number, angleDeg = 0): Promise<Sprite> {
  const { body, aspect } = shapeSvg(shape, colour);
  const w = Math.max(2, Math.round(width));
  const h = Math.max(2, Math.round(width * aspect));
  const rad = (angleDeg * Math.PI) / 180;
  const cw = angleDeg ? Math.ceil(Math.abs(w * Math.cos(rad)) + Math.abs(h * Math.sin(rad))) : w;
  const ch = angleDeg ? Math.ceil(Math.abs(w * Math.sin(rad)) + Math.abs(h * Math.cos(rad))) : h;
  const vbW = (100 * cw) / w;
  const vbH = (100 * aspect * ch) / h;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${cw}" height="${ch}"
      viewBox="${-(vbW - 100) / 2} ${-(vbH - 100 * aspect) / 2} ${vbW} ${vbH}">
    <g transform="rotate(${angleDeg} 50 ${50 * aspect})">${body}</g></svg>`;
  const { data, info } = await sharp(Buffer.from(svg)).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const px = new Uint8Array(info.width * info.height * 4);
  for (let i = 0; i < px.length; i += 4) {
    const a = data[i + 3] ?? 0;
    px[i] = ((data[i] ?? 0) * a + 127) / 255;
    px[i + 1] = ((data[i + 1] ?? 0) * a + 127) / 255;
    px[i + 2] = ((data[i + 2] ?? 0) * a + 127) / 255;
    px[i + 3] = a;
  }
  return { width: info.width, height: info.height, data: px };
}

/**
 * Draws a premultiplied sprite centred at (cx, cy) into a premultiplied RGBA frame.
 * `alpha` (0..1) fades the whole sprite; 'add' blending lets sparks brighten each other.
 */
export function blit(
  frame: Uint8Array,
  fw: number,
  fh: number,
  s: Sprite,
  cx: number,
  cy: number,
  alpha: number,
  mode: 'over' | 'add',
): void {
  const k = Math.round(Math.min(1, Math.max(0, alpha)) * 256);
  if (k === 0) return;
  const x0 = Math.round(cx - s.width / 2);
  const y0 = Math.round(cy - s.height / 2);
  const sx0 = Math.max(0, -x0);
  const sy0 = Math.max(0, -y0);
  const sx1 = Math.min(s.width, fw - x0);
  const sy1 = Math.min(s.height, fh - y0);
  if (sx0 >= sx1 || sy0 >= sy1) return;
  const src = s.data;
  for (let sy = sy0; sy < sy1; sy++) {
    let si = (sy * s.width + sx0) * 4;
    let di = ((y0 + sy) * fw + x0 + sx0) * 4;
    for (let sx = sx0; sx < sx1; sx++, si += 4, di += 4) {
      const a = ((src[si + 3] as number) * k) >> 8;
      if (a === 0) continue;
      const r = ((src[si] as number) * k) >> 8;
      const g = ((src[si + 1] as number) * k) >> 8;
      const b = ((src[si + 2] as number) * k) >> 8;
      if (mode === 'add') {
        frame[di] = Math.min(255, (frame[di] as number) + r);
        frame[di + 1] = Math.min(255, (frame[di + 1] as number) + g);
        frame[di + 2] = Math.min(255, (frame[di + 2] as number) + b);
        frame[di + 3] = Math.min(255, (frame[di + 3] as number) + a);
      } else {
        const inv = 255 - a;
        frame[di] = r + (((frame[di] as number) * inv + 127) / 255) | 0;
        frame[di + 1] = g + (((frame[di + 1] as number) * inv + 127) / 255) | 0;
        frame[di + 2] = b + (((frame[di + 2] as number) * inv + 127) / 255) | 0;
        frame[di + 3] = a + (((frame[di + 3] as number) * inv + 127) / 255) | 0;
      }
    }
  }
}
