// Marks on generated pictures, for two reasons:
// 1. Unpaid previews are watermarked and low-resolution, so a phone snap of the screen is no product.
// 2. Delivered pictures carry the labels China's 《人工智能生成合成内容标识办法》 (in force 2025-09-01)
//    and its mandatory standard GB 45438-2025 require: an explicit label (visible text containing
//    "AI" and "生成", at least 5 % of the shorter side tall, at an edge or corner) and an implicit one
//    in the file metadata (XMP property TC260:AIGC holding the JSON fields Label / ContentProducer /
//    ProduceID / ReservedCode1 / ContentPropagator / PropagateID / ReservedCode2), plus plain EXIF
//    and Dublin Core fields for tools that only read those.
// The "AI生成" mark is drawn as vector strokes, so it needs no font. Other text goes through SVG
// (librsvg + fontconfig): without a CJK font those glyphs may be missing, but the image is still
// produced, and the preview's hatching and vector marks still cover it.
import { createHash } from 'node:crypto';
import sharp from 'sharp';

const FONT = "'Noto Sans CJK SC','Noto Serif CJK SC','Source Han Sans SC','Microsoft YaHei','PingFang SC',sans-serif";

/** Longest side of a preview: enough for the 4-grid and zoom on the kiosk, useless as a print. */
export const PREVIEW_MAX_SIDE = 900;

/** XMP namespace of the TC260 implicit label (GB 45438-2025 practice guide). */
export const TC260_NS = 'http://www.tc260.org.cn/ns/AIGC/1.0/';

export type MarkPlacement = 'bottom-right' | 'bottom-left' | 'top-right' | 'top-left';

export interface LabelOptions {
  markPlacement?: MarkPlacement;
  orderId: string;
  /** The generator that made the picture, e.g. "local" or "jimeng". */
  provider: string;
}

/** The JSON the TC260:AIGC property holds. */
export interface AigcLabel {
  /** "1" generated, "2" possibly generated, "3" suspected. */
  Label: '1' | '2' | '3';
  ContentProducer: string;
  ProduceID: string;
  ReservedCode1: string;
  ContentPropagator: string;
  PropagateID: string;
  ReservedCode2: string;
}

export const PRODUCER = 'TuanyuanPhotoStudio 团圆照相馆';

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c);
}

/**
 * "AI生成" drawn as stroked vector paths (100 units tall), so the label needs no font at all: the
 * legal mark must never turn into empty boxes on a machine without CJK fonts.
 */
const GLYPHS: readonly { w: number; d: string }[] = [
  { w: 80, d: 'M6 95 L40 6 L74 95 M19 62 H61' }, // A
  { w: 30, d: 'M15 6 V95' }, // I
  { w: 100, d: 'M30 5 Q24 26 10 44 M22 28 H84 M22 58 H80 M51 6 V92 M8 93 H93' }, // 生
  { w: 100, d: 'M20 30 H93 M22 30 V62 Q20 84 6 96 M22 56 H46 V80 Q45 88 36 86 M52 6 Q56 62 93 93 L95 76 M82 44 Q72 72 42 94 M70 8 L80 18' }, // 成
];
const GLYPH_GAP = 16;
/** Width of the vector "AI生成" in units of its height. */
export const AI_LABEL_ASPECT = (GLYPHS.reduce((sum, g) => sum + g.w, 0) + GLYPH_GAP * (GLYPHS.length - 1)) / 100;

/** The vector "AI生成" with its top-left corner at (x, y), `height` px tall. */
export function aiLabelPaths(x: number, y: number, height: number, colour: string, opacity = 1): string {
  const k = height / 100;
  let cursor = 0;
  let paths = '';
  for (const g of GLYPHS) {
    paths += `<path transform="translate(${cursor},0)" d="${g.d}"/>`;
    cursor += g.w + GLYPH_GAP;
  }
  return (
    `<g transform="translate(${x},${y}) scale(${k})" fill="none" stroke="${colour}" stroke-opacity="${opacity}" ` +
    `stroke-width="11" stroke-linecap="round" stroke-linejoin="round">${paths}</g>`
  );
}

function previewTiles(width: number, height: number): string {
  // Tile size relative to the picture, so at least 3×3 marks cover any face in it.
  const tw = Math.max(160, Math.round(width / 2.6));
  const th = Math.round(tw * 0.55);
  const big = Math.round(tw * 0.105);
  const labelH = big * 0.85;
  const labelW = labelH * AI_LABEL_ASPECT;
  const tile =
    `<g font-family="${FONT}" font-weight="700" text-anchor="middle" paint-order="stroke">` +
    `<text x="${tw / 2}" y="${th * 0.45}" font-size="${big}" fill="#fff" fill-opacity="0.5" stroke="#000" stroke-opacity="0.35" stroke-width="${big / 14}">预览 PREVIEW</text></g>` +
    aiLabelPaths(tw / 2 - labelW / 2 + labelH * 0.04, th * 0.45 + big * 0.45 + labelH * 0.04, labelH, '#000', 0.3) +
    aiLabelPaths(tw / 2 - labelW / 2, th * 0.45 + big * 0.45, labelH, '#fff', 0.6);
  const diag = Math.ceil(Math.hypot(width, height));
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
    `<defs><pattern id="wm" width="${tw}" height="${th}" patternUnits="userSpaceOnUse">${tile}</pattern>` +
    // Fine diagonal hatching: marks every part of the picture even where no font can be found.
    `<pattern id="hatch" width="${Math.round(tw / 6)}" height="${Math.round(tw / 6)}" patternUnits="userSpaceOnUse">` +
    `<line x1="0" y1="0" x2="0" y2="${Math.round(tw / 6)}" stroke="#fff" stroke-opacity="0.22" stroke-width="${Math.max(2, tw / 90)}"/>` +
    `<line x1="${Math.max(2, tw / 90)}" y1="0" x2="${Math.max(2, tw / 90)}" y2="${Math.round(tw / 6)}" stroke="#000" stroke-opacity="0.16" stroke-width="${Math.max(1, tw / 180)}"/></pattern></defs>` +
    `<g transform="rotate(-28 ${width / 2} ${height / 2})"><rect x="${(width - Math.ceil(Math.hypot(width, height))) / 2}" y="${(height - Math.ceil(Math.hypot(width, height))) / 2}" width="${Math.ceil(Math.hypot(width, height))}" height="${Math.ceil(Math.hypot(width, height))}" fill="url(#hatch)"/></g>` +
    `<g transform="rotate(-28 ${width / 2} ${height / 2})"><rect x="${(width - diag) / 2}" y="${(height - diag) / 2}" width="${diag}" height="${diag}" fill="url(#wm)"/></g>` +
    `<rect x="0" y="${height * 0.86}" width="${width}" height="${height * 0.1}" fill="#000" fill-opacity="0.3"/>` +
    `<text x="${width / 2}" y="${height * 0.93}" font-family="${FONT}" font-size="${Math.round(height * 0.05)}" font-weight="700" text-anchor="middle" fill="#fff" fill-opacity="0.85">预览 · 付款后获取高清照片</text>` +
    `</svg>`
  );
}

/**
 * A low-resolution JPEG (longest side PREVIEW_MAX_SIDE) covered with diagonal "预览 PREVIEW · AI生成"
 * tiles. Rejects only when the input is not an image at all.
 */
export async function watermarkPreview(image: Buffer): Promise<Buffer> {
  const { data, info } = await sharp(image, { failOn: 'none' })
    .rotate()
    .resize(PREVIEW_MAX_SIDE, PREVIEW_MAX_SIDE, { fit: 'inside' })
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  return sharp(data, { raw: { width: info.width, height: info.height, channels: 3 } })
    .composite([{ input: Buffer.from(previewTiles(info.width, info.height)), left: 0, top: 0 }])
    .jpeg({ quality: 72 })
    .toBuffer();
}

/** Where labelDelivered draws the visible "AI生成" mark (the 微动态 holds this box still). */
export function aiMarkBox(width: number, height: number, placement: MarkPlacement = 'bottom-right'): { x: number; y: number; w: number; h: number; size: number; pad: number } {
  // GB 45438-2025: the prompt text is at least 5 % of the shorter side tall.
  const size = Math.max(12, Math.ceil(Math.min(width, height) * 0.05));
  const pad = Math.round(size * 0.32);
  const boxW = Math.round(size * AI_LABEL_ASPECT + 2 * pad);
  const boxH = Math.round(size + 2 * pad);
  const margin = Math.round(Math.min(width, height) * 0.025);
  const x = placement.endsWith('right') ? width - margin - boxW : margin;
  const y = placement.startsWith('bottom') ? height - margin - boxH : margin;
  return { x, y, w: boxW, h: boxH, size, pad };
}

function markSvg(width: number, height: number, placement: MarkPlacement): string {
  const { x, y, w: boxW, h: boxH, size, pad } = aiMarkBox(width, height, placement);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
    `<rect x="${x}" y="${y}" width="${boxW}" height="${boxH}" rx="${boxH * 0.25}" fill="#000" fill-opacity="0.38"/>` +
    aiLabelPaths(x + pad, y + pad, size, '#fff', 0.95) +
    `</svg>`
  );
}

export function aigcLabel(opts: LabelOptions, contentHash: string): AigcLabel {
  return {
    Label: '1',
    ContentProducer: `${PRODUCER} (${opts.provider})`,
    ProduceID: `${opts.orderId}-${contentHash.slice(0, 16)}`,
    ReservedCode1: `sha256:${contentHash}`,
    ContentPropagator: PRODUCER,
    PropagateID: opts.orderId,
    ReservedCode2: '',
  };
}

export function aigcXmp(label: AigcLabel, provider: string): string {
  const json = JSON.stringify(label);
  return (
    `<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>` +
    `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">` +
    `<rdf:Description rdf:about="" xmlns:TC260="${TC260_NS}" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/">` +
    `<TC260:AIGC>${escapeXml(json)}</TC260:AIGC>` +
    `<xmp:CreatorTool>${escapeXml(`${PRODUCER} / ${provider}`)}</xmp:CreatorTool>` +
    `<dc:identifier>${escapeXml(label.ProduceID)}</dc:identifier>` +
    `<dc:description><rdf:Alt><rdf:li xml:lang="x-default">人工智能生成合成内容 / AI-generated content</rdf:li></rdf:Alt></dc:description>` +
    `</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>`
  );
}

/**
 * The delivered (paid) picture: full resolution, a visible "AI生成" mark in a corner, and the
 * implicit AIGC label in XMP and EXIF. Output is a JPEG.
 */
export async function labelDelivered(image: Buffer, opts: LabelOptions): Promise<Buffer> {
  const { data, info } = await sharp(image, { failOn: 'none' })
    .rotate()
    // A transparent PNG is put on white, not on black.
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  const hash = createHash('sha256').update(data).digest('hex');
  const label = aigcLabel(opts, hash);
  return sharp(data, { raw: { width: info.width, height: info.height, channels: 3 } })
    .composite([{ input: Buffer.from(markSvg(info.width, info.height, opts.markPlacement ?? 'bottom-right')), left: 0, top: 0 }])
    .withExif({
      IFD0: {
        ImageDescription: `AI-generated content (AIGC Label=1), ProduceID=${label.ProduceID}`,
        // libvips reads a trailing "(…)" in an EXIF string as a type hint, so no parentheses here.
        Software: `TuanyuanPhotoStudio/${opts.provider}`,
        Artist: 'AI-generated',
      },
    })
    .withXmp(aigcXmp(label, opts.provider))
    .jpeg({ quality: 94, chromaSubsampling: '4:4:4' })
    .toBuffer();
}

/** Reads the TC260:AIGC label back from a file's XMP (null when absent or unreadable). */
export async function readAigcLabel(image: Buffer): Promise<AigcLabel | null> {
  const meta = await sharp(image, { failOn: 'none' }).metadata();
  if (!meta.xmp) return null;
  const xmp = meta.xmp.toString('utf8');
  const m = /<TC260:AIGC>([\s\S]*?)<\/TC260:AIGC>/.exec(xmp) ?? /TC260:AIGC="([^"]*)"/.exec(xmp);
  if (!m?.[1]) return null;
  const json = m[1].replace(/&(lt|gt|amp|apos|quot);/g, (_, e: string) => ({ lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' })[e] ?? '');
  try {
    return JSON.parse(json) as AigcLabel;
  } catch {
    return null;
  }
}
