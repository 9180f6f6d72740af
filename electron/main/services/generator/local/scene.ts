// The backdrop of a style: assets/templates/<styleId>.svg, drawn for this project (see assets/README.md).
// A style an operator adds without art still gets a festive backdrop built from its palette, so
// styles stay pure data. Rendered once per style and size, then reused by every variant.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Style } from '../../../../shared/contract';
import { logger } from '../../../infra/log';

const log = logger('generator.local');

const SAFE_ID = /^[A-Za-z0-9_-]+$/;

/** A plain but festive fallback: the style's two colours, soft light, gold lattice lines. */
export function paletteSceneSvg(palette: readonly [string, string], width: number, height: number): string {
  const [a, b] = palette;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 1800 1200" preserveAspectRatio="xMidYMid slice">` +
    `<defs><radialGradient id="glow" cx="50%" cy="42%" r="75%"><stop offset="0" stop-color="${b}"/><stop offset="1" stop-color="${a}"/></radialGradient>` +
    `<pattern id="lat" width="120" height="120" patternUnits="userSpaceOnUse"><path d="M0 60H120M60 0V120M30 30H90V90H30Z" fill="none" stroke="#E8C25A" stroke-opacity="0.18" stroke-width="3"/></pattern></defs>` +
    `<rect width="1800" height="1200" fill="url(#glow)"/><rect width="1800" height="1200" fill="url(#lat)"/>` +
    `<rect x="30" y="30" width="1740" height="1140" fill="none" stroke="#E8C25A" stroke-width="8" stroke-opacity="0.7"/></svg>`
  );
}

const cache = new Map<string, Promise<Buffer>>();

async function render(style: Style, assetsDir: string, width: number, height: number): Promise<Buffer> {
  let svg: Buffer | null = null;
  if (SAFE_ID.test(style.id)) {
    try {
      svg = await readFile(join(assetsDir, 'templates', `${style.id}.svg`));
    } catch {
      log.warn('template-missing', { styleId: style.id });
    }
  }
  const source = svg ?? Buffer.from(paletteSceneSvg(style.palette, width, height));
  try {
    return await sharp(source).resize(width, height, { fit: 'cover' }).removeAlpha().png({ compressionLevel: 1 }).toBuffer();
  } catch (e) {
    // A broken template file must not stop the kiosk: fall back to the palette backdrop.
    log.warn('template-unreadable', { styleId: style.id, error: e as Error });
    return sharp(Buffer.from(paletteSceneSvg(style.palette, width, height))).resize(width, height).removeAlpha().png({ compressionLevel: 1 }).toBuffer();
  }
}

/** The style's backdrop as a PNG of exactly width × height (RGB). */
export function sceneFor(style: Style, assetsDir: string, width: number, height: number): Promise<Buffer> {
  const key = `${assetsDir}\u0000${style.id}\u0000${style.palette.join(',')}\u0000${width}x${height}`;
  let hit = cache.get(key);
  if (!hit) {
    hit = render(style, assetsDir, width, height);
    cache.set(key, hit);
    // Never cache a failure.
    hit.catch(() => cache.delete(key));
  }
  return hit;
}
