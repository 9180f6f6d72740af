// Festive decorations drawn as SVG fragments in canvas pixels: ribbons, couplets (对联), gold
// frames, a scroll, a seal, the full moon, auspicious clouds (祥云) and sparkles. Text uses the
// CJK fonts fontconfig knows; where none is installed librsvg still renders the rest of the
// picture, so a missing font costs the lettering, never the customer's photo.
import type { Rng } from './rng';

export const FONT =
  "'Noto Serif CJK SC','Noto Serif SC','Source Han Serif SC','Songti SC','SimSun','Noto Sans CJK SC','Microsoft YaHei',serif";

export const GOLD = '#E9C46A';
export const GOLD_DARK = '#B8862B';

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c);
}

export function svgDoc(width: number, height: number, body: string, defs = ''): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><defs>${goldGradient}${defs}</defs>${body}</svg>`;
}

const goldGradient =
  `<linearGradient id="gold" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#FFF1B8"/>` +
  `<stop offset="0.45" stop-color="${GOLD}"/><stop offset="1" stop-color="${GOLD_DARK}"/></linearGradient>`;

/** Text with a thin dark outline so gold stays legible on any backdrop. */
export function text(x: number, y: number, content: string, size: number, opts: { fill?: string; anchor?: string; weight?: number; spacing?: number } = {}): string {
  return (
    `<text x="${x}" y="${y}" font-family="${FONT}" font-size="${size}" font-weight="${opts.weight ?? 700}" ` +
    `text-anchor="${opts.anchor ?? 'middle'}" letter-spacing="${opts.spacing ?? 0}" fill="${opts.fill ?? 'url(#gold)'}" ` +
    `stroke="#5A0E0E" stroke-opacity="0.55" stroke-width="${Math.max(1, size / 40)}" paint-order="stroke">${escapeXml(content)}</text>`
  );
}

/** A red ribbon banner with swallow-tail ends and a gold edge, centred on cx. */
export function ribbon(cx: number, y: number, width: number, height: number, label: string, red: string): string {
  const l = cx - width / 2;
  const r = cx + width / 2;
  const tail = height * 0.55;
  const body =
    `<path d="M${l - tail},${y + height * 0.2} L${l},${y + height * 0.2} L${l},${y + height * 1.05} L${l - tail},${y + height * 1.05} L${l - tail * 0.55},${y + height * 0.62} Z" fill="${red}" opacity="0.9"/>` +
    `<path d="M${r + tail},${y + height * 0.2} L${r},${y + height * 0.2} L${r},${y + height * 1.05} L${r + tail},${y + height * 1.05} L${r + tail * 0.55},${y + height * 0.62} Z" fill="${red}" opacity="0.9"/>` +
    `<rect x="${l}" y="${y}" width="${width}" height="${height}" rx="${height * 0.12}" fill="${red}" stroke="url(#gold)" stroke-width="${height * 0.07}"/>` +
    `<rect x="${l + height * 0.14}" y="${y + height * 0.14}" width="${width - height * 0.28}" height="${height * 0.72}" rx="${height * 0.08}" fill="none" stroke="${GOLD}" stroke-opacity="0.6" stroke-width="${height * 0.025}"/>`;
  return body + text(cx, y + height * 0.72, label, height * 0.6, { spacing: height * 0.12 });
}

/** One vertical couplet strip (对联) with its characters stacked. */
export function couplet(r: Rect, label: string, red: string): string {
  const chars = [...label];
  const step = (r.h - r.w * 0.5) / Math.max(1, chars.length);
  let out =
    `<rect x="${r.x}" y="${r.y}" width="${r.w}" height="${r.h}" rx="${r.w * 0.06}" fill="${red}" stroke="url(#gold)" stroke-width="${r.w * 0.06}"/>` +
    `<rect x="${r.x + r.w * 0.12}" y="${r.y + r.w * 0.12}" width="${r.w * 0.76}" height="${r.h - r.w * 0.24}" fill="none" stroke="${GOLD}" stroke-opacity="0.55" stroke-width="${r.w * 0.02}"/>`;
  chars.forEach((c, i) => {
    out += text(r.x + r.w / 2, r.y + r.w * 0.25 + step * (i + 0.5) + r.w * 0.22, c, r.w * 0.6);
  });
  return out;
}

/** A carved gold picture frame around `r` (the opening), `t` thick. */
export function goldFrame(r: Rect, t: number): string {
  const o = { x: r.x - t, y: r.y - t, w: r.w + 2 * t, h: r.h + 2 * t };
  let corners = '';
  for (const [cx, cy] of [
    [o.x, o.y],
    [o.x + o.w, o.y],
    [o.x, o.y + o.h],
    [o.x + o.w, o.y + o.h],
  ] as const) {
    corners += `<circle cx="${cx}" cy="${cy}" r="${t * 0.9}" fill="url(#gold)" stroke="${GOLD_DARK}" stroke-width="${t * 0.08}"/>`;
    corners += `<circle cx="${cx}" cy="${cy}" r="${t * 0.45}" fill="none" stroke="#FFF1B8" stroke-width="${t * 0.08}"/>`;
  }
  return (
    `<rect x="${o.x + t * 0.25}" y="${o.y + t * 0.35}" width="${o.w}" height="${o.h}" fill="#000" opacity="0.35"/>` +
    `<path fill-rule="evenodd" fill="url(#gold)" d="M${o.x},${o.y}h${o.w}v${o.h}h${-o.w}Z M${r.x},${r.y}v${r.h}h${r.w}v${-r.h}Z"/>` +
    `<rect x="${o.x + t * 0.18}" y="${o.y + t * 0.18}" width="${o.w - t * 0.36}" height="${o.h - t * 0.36}" fill="none" stroke="${GOLD_DARK}" stroke-width="${t * 0.07}"/>` +
    `<rect x="${r.x - t * 0.2}" y="${r.y - t * 0.2}" width="${r.w + t * 0.4}" height="${r.h + t * 0.4}" fill="none" stroke="#FFF1B8" stroke-width="${t * 0.06}"/>` +
    `<rect x="${r.x}" y="${r.y}" width="${r.w}" height="${r.h}" fill="none" stroke="#6B4A12" stroke-width="${t * 0.1}"/>` +
    corners
  );
}

/** A square red seal (印章) with white characters (2 or 4). */
export function seal(x: number, y: number, size: number, label: string): string {
  const chars = [...label];
  const cells = chars.length > 2 ? 2 : 1;
  let glyphs = '';
  chars.slice(0, 4).forEach((c, i) => {
    const col = cells === 2 ? 1 - Math.floor(i / 2) : 0; // read right-to-left, top-to-bottom
    const row = cells === 2 ? i % 2 : i;
    const cellW = size / (cells === 2 ? 2 : 1);
    const cellH = size / (cells === 2 ? 2 : chars.length);
    glyphs += text(x + cellW * (col + 0.5), y + cellH * (row + 0.82), c, Math.min(cellW, cellH) * 0.78, { fill: '#FFF4E6', weight: 900 });
  });
  return `<rect x="${x}" y="${y}" width="${size}" height="${size}" rx="${size * 0.08}" fill="#C21F1F" opacity="0.92"/>` + glyphs;
}

/** An auspicious cloud (祥云) made of curls, about 200×90 at scale 1. */
export function cloud(x: number, y: number, scale: number, fill: string, stroke: string, opacity = 1): string {
  return (
    `<g transform="translate(${x},${y}) scale(${scale})" opacity="${opacity}">` +
    `<path d="M10,70 C-10,40 30,20 55,40 C55,5 110,0 120,35 C135,10 185,15 180,50 C205,55 205,85 175,88 L20,88 C5,88 0,78 10,70 Z" fill="${fill}" stroke="${stroke}" stroke-width="5"/>` +
    `<path d="M60,62 C60,45 85,45 85,60 C85,72 70,72 70,64" fill="none" stroke="${stroke}" stroke-width="5" stroke-linecap="round"/>` +
    `<path d="M120,60 C120,42 150,42 148,60 C146,73 130,72 131,63" fill="none" stroke="${stroke}" stroke-width="5" stroke-linecap="round"/></g>`
  );
}

/** A hanging red lantern, `s` = scale (1 ≈ 110×190). */
export function lantern(x: number, y: number, s: number): string {
  return (
    `<g transform="translate(${x},${y}) scale(${s})">` +
    `<line x1="0" y1="-60" x2="0" y2="0" stroke="#6B1A0F" stroke-width="4"/>` +
    `<rect x="-22" y="0" width="44" height="14" rx="3" fill="url(#gold)"/>` +
    `<ellipse cx="0" cy="70" rx="58" ry="58" fill="#D62418"/>` +
    `<ellipse cx="0" cy="70" rx="34" ry="58" fill="none" stroke="#F5B13B" stroke-width="3" opacity="0.7"/>` +
    `<ellipse cx="0" cy="70" rx="12" ry="58" fill="none" stroke="#F5B13B" stroke-width="3" opacity="0.7"/>` +
    `<ellipse cx="-18" cy="50" rx="14" ry="22" fill="#FF7A4D" opacity="0.35"/>` +
    `<rect x="-22" y="124" width="44" height="14" rx="3" fill="url(#gold)"/>` +
    `<path d="M-12,138 L-14,190 M-4,138 L-5,192 M4,138 L5,192 M12,138 L14,190" stroke="#E8A33A" stroke-width="4"/></g>`
  );
}

/** Gold sparkles and petals, kept off the given rectangles (the faces). */
export function sparkles(rng: Rng, width: number, height: number, count: number, avoid: readonly Rect[]): string {
  let out = '';
  let placed = 0;
  for (let tries = 0; placed < count && tries < count * 20; tries++) {
    const x = rng.range(0, width);
    const y = rng.range(0, height);
    const size = rng.range(4, 14);
    if (avoid.some((r) => x > r.x - size * 2 && x < r.x + r.w + size * 2 && y > r.y - size * 2 && y < r.y + r.h + size * 2)) continue;
    const opacity = rng.range(0.45, 0.95).toFixed(2);
    if (rng.next() < 0.6) {
      // Four-pointed star.
      out += `<path d="M${x},${y - size} Q${x},${y} ${x + size},${y} Q${x},${y} ${x},${y + size} Q${x},${y} ${x - size},${y} Q${x},${y} ${x},${y - size}Z" fill="#FFE7A3" opacity="${opacity}"/>`;
    } else {
      out += `<circle cx="${x}" cy="${y}" r="${size * 0.4}" fill="${rng.pick(['#FFD36B', '#FF6B5B', '#FFF3C4'])}" opacity="${opacity}"/>`;
    }
    placed++;
  }
  return out;
}

/** The 回纹 (Greek-key) band around the whole picture, `t` thick. */
export function fretBorder(width: number, height: number, t: number, red: string): string {
  const unit = t * 0.8;
  const key = `<path d="M0,${unit} V0 H${unit} V${unit * 0.75} H${unit * 0.25} V${unit * 0.25} H${unit * 0.55}" fill="none" stroke="${GOLD}" stroke-width="${unit * 0.1}"/>`;
  const defs = `<pattern id="fret" width="${unit}" height="${unit}" patternUnits="userSpaceOnUse" x="${t * 0.1}" y="${t * 0.1}">${key}</pattern>`;
  const band = `M0,0H${width}V${height}H0Z M${t},${t}V${height - t}H${width - t}V${t}Z`;
  return (
    `<defs>${defs}</defs>` +
    `<path fill-rule="evenodd" fill="${red}" d="${band}"/>` +
    `<path fill-rule="evenodd" fill="url(#fret)" d="${band}" opacity="0.9"/>` +
    `<rect x="${t * 0.06}" y="${t * 0.06}" width="${width - t * 0.12}" height="${height - t * 0.12}" fill="none" stroke="url(#gold)" stroke-width="${t * 0.1}"/>` +
    `<rect x="${t}" y="${t}" width="${width - 2 * t}" height="${height - 2 * t}" fill="none" stroke="url(#gold)" stroke-width="${t * 0.14}"/>`
  );
}

/** Unrolled paper of a hanging scroll with wooden rollers at both ends. */
export function scroll(r: Rect): string {
  const roller = r.h * 0.06;
  return (
    `<defs><linearGradient id="paper" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#FBF3DE"/><stop offset="1" stop-color="#EBDDBA"/></linearGradient>` +
    `<linearGradient id="wood" x1="0" y1="0" x2="1" y2="0"><stop offset="0" stop-color="#3B1D10"/><stop offset="0.5" stop-color="#8A4B2A"/><stop offset="1" stop-color="#3B1D10"/></linearGradient></defs>` +
    `<rect x="${r.x + 14}" y="${r.y + 22}" width="${r.w}" height="${r.h}" fill="#000" opacity="0.35"/>` +
    `<rect x="${r.x}" y="${r.y}" width="${r.w}" height="${r.h}" fill="url(#paper)"/>` +
    `<rect x="${r.x + r.h * 0.04}" y="${r.y + r.h * 0.04}" width="${r.w - r.h * 0.08}" height="${r.h * 0.92}" fill="none" stroke="#B48A3C" stroke-width="4"/>` +
    `<rect x="${r.x - roller}" y="${r.y - roller * 0.6}" width="${roller}" height="${r.h + roller * 1.2}" rx="${roller * 0.3}" fill="url(#wood)"/>` +
    `<rect x="${r.x + r.w}" y="${r.y - roller * 0.6}" width="${roller}" height="${r.h + roller * 1.2}" rx="${roller * 0.3}" fill="url(#wood)"/>` +
    `<rect x="${r.x - roller * 1.15}" y="${r.y - roller}" width="${roller * 1.3}" height="${roller * 0.5}" rx="6" fill="url(#gold)"/>` +
    `<rect x="${r.x - roller * 1.15}" y="${r.y + r.h + roller * 0.5}" width="${roller * 1.3}" height="${roller * 0.5}" rx="6" fill="url(#gold)"/>` +
    `<rect x="${r.x + r.w - roller * 0.15}" y="${r.y - roller}" width="${roller * 1.3}" height="${roller * 0.5}" rx="6" fill="url(#gold)"/>` +
    `<rect x="${r.x + r.w - roller * 0.15}" y="${r.y + r.h + roller * 0.5}" width="${roller * 1.3}" height="${roller * 0.5}" rx="6" fill="url(#gold)"/>`
  );
}

/** Rounded window outline for one photo on the scroll. */
export function windowFrame(r: Rect): string {
  const rad = Math.min(r.w, r.h) * 0.08;
  return (
    `<rect x="${r.x - 10}" y="${r.y - 10}" width="${r.w + 20}" height="${r.h + 20}" rx="${rad + 10}" fill="none" stroke="url(#gold)" stroke-width="12"/>` +
    `<rect x="${r.x - 20}" y="${r.y - 20}" width="${r.w + 40}" height="${r.h + 40}" rx="${rad + 20}" fill="none" stroke="#B8862B" stroke-width="3"/>`
  );
}

/** The mid-autumn style full moon (团圆): a pale gold disc with a soft halo. */
export function moon(cx: number, cy: number, r: number): string {
  return (
    `<defs><radialGradient id="moon" cx="45%" cy="40%" r="60%"><stop offset="0" stop-color="#FFF8DC"/><stop offset="0.7" stop-color="#FBE3A0"/><stop offset="1" stop-color="#F2C766"/></radialGradient>` +
    `<radialGradient id="halo"><stop offset="0.6" stop-color="#FFE9A8" stop-opacity="0.55"/><stop offset="1" stop-color="#FFE9A8" stop-opacity="0"/></radialGradient></defs>` +
    `<circle cx="${cx}" cy="${cy}" r="${r * 1.35}" fill="url(#halo)"/>` +
    `<circle cx="${cx}" cy="${cy}" r="${r}" fill="url(#moon)" opacity="0.93"/>` +
    `<circle cx="${cx}" cy="${cy}" r="${r}" fill="none" stroke="${GOLD}" stroke-width="6" opacity="0.8"/>`
  );
}
