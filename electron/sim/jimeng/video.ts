// The image-to-video models of the Jimeng simulator (jimeng_i2v_first_v30[_1080], jimeng_ti2v_v30_pro):
// the documented parameters (§3.4: one JPEG/PNG ≤ 4.7 MB, short side ≥ 320, ratio ≤ 3, frames
// 121 or 241), output sizes, and a real H.264 clip rendered from the input photo (a slow push-in)
// so the whole 微动态 pipeline can be exercised. The gateway, task table and faults are in simulator.ts.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { runFfmpeg } from '../../../native/video/ffmpeg';

export const VIDEO_KEYS = new Set(['jimeng_i2v_first_v30', 'jimeng_i2v_first_v30_1080', 'jimeng_ti2v_v30_pro']);

/** Output sizes per aspect ratio (§3.4: Pro table; 720P/1080P i2v scaled from it). */
const RATIOS: [number, [number, number]][] = [
  [21 / 9, [2176, 928]],
  [16 / 9, [1920, 1088]],
  [4 / 3, [1664, 1248]],
  [1, [1440, 1440]],
  [3 / 4, [1248, 1664]],
  [9 / 16, [1088, 1920]],
];

function outputSize(reqKey: string, w: number, h: number): [number, number] {
  const r = w / h;
  const best = RATIOS.reduce((a, b) => (Math.abs(Math.log(b[0] / r)) < Math.abs(Math.log(a[0] / r)) ? b : a));
  const [pw, ph] = best[1];
  const k = reqKey === 'jimeng_i2v_first_v30' ? 720 / Math.min(pw, ph) : 1;
  return [2 * Math.round((pw * k) / 2), 2 * Math.round((ph * k) / 2)];
}

/** Parameter checks (§3.4); the input photo (null for text-only Pro) and frames, or an error text for 50215. */
export async function validateVideoTask(reqKey: string, body: Record<string, unknown>): Promise<{ image: Buffer | null; frames: number } | string> {
  const prompt = body.prompt;
  if (reqKey !== 'jimeng_ti2v_v30_pro' && (typeof prompt !== 'string' || prompt.length === 0)) return 'prompt is required';
  if (typeof prompt === 'string' && prompt.length > 800) return 'prompt too long';
  const frames = body.frames === undefined ? 121 : body.frames;
  if (frames !== 121 && frames !== 241) return 'frames must be 121 or 241';
  if (body.aspect_ratio !== undefined && reqKey !== 'jimeng_ti2v_v30_pro') return 'aspect_ratio is not a parameter of this req_key';
  const b64 = Array.isArray(body.binary_data_base64) ? body.binary_data_base64 : [];
  const urls = Array.isArray(body.image_urls) ? body.image_urls : [];
  const n = b64.length + urls.length;
  if (reqKey === 'jimeng_ti2v_v30_pro' ? n > 1 : n !== 1) return 'wrong number of images';
  if (urls.length) return 'this simulator takes binary_data_base64 only';
  if (n === 0) return { image: null, frames };
  if (typeof b64[0] !== 'string') return 'bad image data';
  const image = Buffer.from(b64[0], 'base64');
  if (image.length > 4.7 * 1024 * 1024) return 'image larger than 4.7 MB';
  let meta: sharp.Metadata;
  try {
    meta = await sharp(image).metadata();
  } catch {
    return 'image not decodable';
  }
  if (meta.format !== 'jpeg' && meta.format !== 'png') return 'image must be JPEG or PNG';
  const w = meta.width ?? 0;
  const h = meta.height ?? 0;
  if (Math.max(w, h) > 4096 || Math.min(w, h) < 320 || Math.max(w, h) / Math.min(w, h) > 3) return 'image size or ratio out of range';
  return { image, frames };
}

/** The "generated" clip: the photo (or a plain red card for text-only Pro) with a slow push-in, 24 fps. */
export async function renderVideo(input: Buffer | null, reqKey: string, frames: number, renderScale: number, workDir: string): Promise<Buffer> {
  const image = input ?? (await sharp({ create: { width: 1248, height: 1664, channels: 3, background: '#8b1a1a' } }).jpeg().toBuffer());
  const meta = await sharp(image).metadata();
  const [w, h] = outputSize(reqKey, meta.width ?? 1, meta.height ?? 1);
  const sw = 2 * Math.round((w * renderScale) / 2);
  const sh = 2 * Math.round((h * renderScale) / 2);
  const dir = await mkdtemp(join(workDir, 'task-'));
  try {
    const src = join(dir, 'in.jpg');
    await sharp(image).rotate().resize(sw, sh, { fit: 'cover' }).jpeg().toFile(src);
    const out = join(dir, 'out.mp4');
    await runFfmpeg({
      inputs: [{ source: src }],
      filterGraph: `[0:v]zoompan=z='1+0.04*on/${frames}':x='iw/2-iw/zoom/2':y='ih/2-ih/zoom/2':d=${frames}:s=${sw}x${sh}:fps=24,format=yuv420p[out]`,
      outputOptions: ['-map', '[out]', '-frames:v', String(frames), '-c:v', 'libx264', '-preset', 'ultrafast', '-f', 'mp4'],
      output: out,
      timeoutMs: 60_000,
    });
    return await readFile(out);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** GetResult's req_json for video models: aigc_meta only, with producer_id and content_propagator. */
export function videoReqJson(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  let rj: Record<string, unknown>;
  try {
    rj = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    return 'req_json is not JSON';
  }
  if (Object.keys(rj).some((k) => k !== 'aigc_meta')) return 'req_json accepts aigc_meta only';
  const m = rj.aigc_meta as Record<string, unknown> | undefined;
  if (m && (typeof m.producer_id !== 'string' || !m.producer_id || typeof m.content_propagator !== 'string' || !m.content_propagator)) {
    return 'aigc_meta.producer_id and content_propagator are required';
  }
  return null;
}
