// The image models of the Jimeng simulator (jimeng_t2i_v40, jimeng_i2i_v30, jimeng_seedream46_cvtob):
// their parameter rules, output sizes and the picture a task "generates" (the family's photos on a
// seed-coloured festive scene, req_key and seed printed, so the flow and the quality gate can be
// watched). The gateway, task table and faults are in simulator.ts.
import sharp from 'sharp';
import { request } from 'undici';
import { mulberry32 } from '../../shared/random';

export const IMAGE_KEYS = new Set(['jimeng_t2i_v40', 'jimeng_i2i_v30', 'jimeng_seedream46_cvtob']);

/** Parameter checks per req_key (§3); returns an error text for 50215, or null. */
export function validateImageTask(reqKey: string, body: Record<string, unknown>): string | null {
  if (typeof body.prompt !== 'string' || body.prompt.length === 0) return 'prompt is required';
  if (body.prompt.length > 800) return 'prompt too long';
  const b64 = Array.isArray(body.binary_data_base64) ? body.binary_data_base64.length : 0;
  const urls = Array.isArray(body.image_urls) ? body.image_urls.length : 0;
  if (reqKey === 'jimeng_t2i_v40') {
    if (b64 > 0) return 'jimeng_t2i_v40 takes image_urls only';
    if (urls > 10) return 'at most 10 images';
  } else if (reqKey === 'jimeng_i2i_v30') {
    if (b64 + urls !== 1) return 'exactly one input image';
  }
  for (const k of ['width', 'height'] as const) {
    const v = body[k];
    if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v))) return `${k} must be an integer`;
  }
  if (reqKey === 'jimeng_i2i_v30') {
    for (const k of ['width', 'height'] as const) {
      const v = body[k] as number | undefined;
      if (v !== undefined && (v < 512 || v > 2016)) return `${k} out of range`;
    }
  }
  if (b64 > 0 && (body.binary_data_base64 as unknown[]).some((s) => typeof s !== 'string' || s.length < 100)) return 'bad image data';
  return null;
}

/** jimeng_t2i_v40 makes a group of four when the prompt asks for a series (组图), else one image. */
export function imageOutputs(reqKey: string, body: Record<string, unknown>): number {
  const prompt = typeof body.prompt === 'string' ? body.prompt : '';
  return reqKey === 'jimeng_t2i_v40' && body.force_single !== true && /组图|一系列|几张/.test(prompt) ? 4 : 1;
}

const clampTo16 = (v: number, lo: number, hi: number) => Math.round(Math.min(hi, Math.max(lo, v)) / 16) * 16;

function outputSize(reqKey: string, body: Record<string, unknown>): [number, number] {
  const w = typeof body.width === 'number' ? body.width : undefined;
  const h = typeof body.height === 'number' ? body.height : undefined;
  if (reqKey === 'jimeng_i2i_v30') return [clampTo16(w ?? 1328, 512, 1536), clampTo16(h ?? 1328, 512, 1536)];
  if (w && h) return [w, h];
  return [2048, 2048];
}

/** The input photos: inline base64 and fetched image_urls, in that order. */
async function imagesOf(body: Record<string, unknown>): Promise<Buffer[]> {
  const out: Buffer[] = [];
  const b64 = Array.isArray(body.binary_data_base64) ? body.binary_data_base64 : [];
  for (const s of b64) if (typeof s === 'string') out.push(Buffer.from(s, 'base64'));
  const urls = Array.isArray(body.image_urls) ? body.image_urls : [];
  for (const u of urls) {
    if (typeof u !== 'string') continue;
    const res = await request(u, { method: 'GET', headersTimeout: 10_000, bodyTimeout: 10_000 });
    const buf = Buffer.from(await res.body.arrayBuffer());
    if (res.statusCode !== 200) throw new Error(`image url answered ${res.statusCode}`);
    out.push(buf);
  }
  return out;
}

function xmlEscape(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}

/** The picture a task "generates": inputs on a seed-coloured festive scene, seed and key visible. */
async function render(inputs: Buffer[], width: number, height: number, seed: number, reqKey: string, broken: boolean, prompt: string): Promise<Buffer> {
  const rnd = mulberry32(seed);
  // The scene's colour follows the prompt (so styles look different) and varies a little per seed.
  let h = 0;
  for (const ch of prompt) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  const hue = (h % 360) + Math.floor(rnd() * 20);
  const lanterns = Array.from({ length: 6 }, (_, i) => {
    const x = Math.round(((i + 0.5) / 6) * width);
    const r = Math.round(height * (0.035 + rnd() * 0.02));
    return `<line x1="${x}" y1="0" x2="${x}" y2="${r * 2}" stroke="#c9a227" stroke-width="2"/><ellipse cx="${x}" cy="${r * 3}" rx="${r}" ry="${Math.round(r * 1.2)}" fill="hsl(${hue},85%,45%)" stroke="#f2c14e" stroke-width="3"/>`;
  }).join('');
  const fontPx = Math.max(14, Math.round(height * 0.03));
  const scene = Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
      <defs><linearGradient id="g" x1="0" y1="0" x2="0" y2="1">
        <stop offset="0" stop-color="hsl(${hue},70%,${30 + Math.floor(rnd() * 15)}%)"/>
        <stop offset="1" stop-color="hsl(${(hue + 30) % 360},60%,${12 + Math.floor(rnd() * 10)}%)"/>
      </linearGradient></defs>
      <rect width="100%" height="100%" fill="url(#g)"/>${lanterns}
      <text x="${Math.round(width * 0.02)}" y="${height - Math.round(fontPx * 0.8)}" font-family="sans-serif" font-size="${fontPx}" fill="#fff" fill-opacity="0.8">SIM ${xmlEscape(reqKey)} seed=${seed}</text>
    </svg>`,
  );
  // People stand in a row on the lower two thirds, each photo scaled to the same height.
  const n = Math.max(1, inputs.length);
  const cellW = Math.floor((width * 0.92) / n);
  const cellH = Math.floor(height * 0.72);
  const layers: sharp.OverlayOptions[] = [];
  for (let i = 0; i < inputs.length; i++) {
    let person = sharp(inputs[i]!, { failOn: 'none' }).rotate().resize(cellW, cellH, { fit: 'inside' });
    // "Broken face": the model smeared the people — a detector must not find faces any more.
    if (broken) person = person.blur(Math.max(20, Math.round(cellH / 12))).modulate({ brightness: 0.6 });
    const { data, info } = await person.toBuffer({ resolveWithObject: true });
    const left = Math.round(width * 0.04 + i * cellW + (cellW - info.width) / 2);
    const top = Math.round(height * 0.2 + (cellH - info.height) / 2);
    layers.push({ input: data, left: Math.max(0, left), top: Math.max(0, top) });
  }
  return sharp(scene).composite(layers).jpeg({ quality: 88 }).toBuffer();
}

/** Renders a task's `outputs` images (seed, seed+1, …) at `renderScale` of the documented size. */
export async function renderImages(task: { reqKey: string; body: Record<string, unknown>; outputs: number; broken: boolean }, seed: number, renderScale: number): Promise<Buffer[]> {
  const inputs = await imagesOf(task.body);
  const [w, h] = outputSize(task.reqKey, task.body);
  const outs: Buffer[] = [];
  for (let i = 0; i < task.outputs; i++) {
    outs.push(
      await render(inputs, Math.max(64, Math.round(w * renderScale)), Math.max(64, Math.round(h * renderScale)), seed + i, task.reqKey, task.broken, String(task.body.prompt ?? '')),
    );
  }
  return outs;
}

/**
 * GetResult's req_json for image models: aigc_meta (producer_id 1..256 chars) and return_url.
 * Returns the parsed options, or an error text for 50215.
 */
export function imageReqJson(raw: unknown): { returnUrl: boolean } | string {
  if (typeof raw !== 'string') return { returnUrl: false };
  let reqJson: Record<string, unknown>;
  try {
    reqJson = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    return 'req_json is not JSON';
  }
  const meta = reqJson.aigc_meta as Record<string, unknown> | undefined;
  if (meta !== undefined && (typeof meta.producer_id !== 'string' || meta.producer_id.length === 0 || meta.producer_id.length > 256)) return 'aigc_meta.producer_id';
  return { returnUrl: reqJson.return_url === true };
}
