// A protocol-faithful local stand-in for Jimeng image-to-video (jimeng_i2v_first_v30[_1080],
// jimeng_ti2v_v30_pro) on the Volcengine Visual API, loopback only. It checks V4 signatures with
// the generator's verification helpers (no second signer), validates the documented parameters
// (§3.4: one JPEG/PNG ≤ 4.7 MB, short side ≥ 320, ratio ≤ 3, frames = 24·n+1), runs tasks through
// in_queue → generating → done, answers done with a `video_url` that expires (1 h by default), and
// really renders an H.264 clip from the input photo so the whole pipeline can be exercised.
// Faults are injected by script or rate. Never what production talks to.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { runFfmpeg } from '../../../native/video/ffmpeg';
import { computeSignature, parseAuthorization, sameSignature, sha256OfBody } from '../../main/services/generator/jimeng/sign';

export type VideoSimFault =
  | 'none'
  | 'throttle' // 429 / 50429 on submit
  | 'concurrent' // 429 / 50430 on submit
  | 'input_audit' // 400 / 50411 on submit
  | 'server_error' // 500 / 50500 on submit
  | 'hang' // submit never answered
  | 'post_audit' // GetResult 400 / 50516 (output video failed audit)
  | 'url_expired'; // done, but the video URL is already dead when fetched

export interface JimengVideoSimulatorOptions {
  accessKey?: string;
  secretKey?: string;
  region?: string;
  service?: string;
  /** Submit → done, ms. */
  taskMs?: number;
  /** Video URL lifetime (Jimeng: 1 h). */
  urlTtlMs?: number;
  /** Deterministic faults, one per submit; afterwards 'none'. */
  script?: VideoSimFault[];
  /** Output scale (1 = the documented size); smaller keeps tests fast. */
  renderScale?: number;
}

export interface JimengVideoSimulator {
  url: string;
  accessKey: string;
  secretKey: string;
  stats: { submits: number; tasksCreated: number; polls: number; downloads: number; billedVideos: number; authFailures: number; lastSubmit: Record<string, unknown> | null };
  setScript(script: VideoSimFault[]): void;
  close(): Promise<void>;
}

const VIDEO_KEYS = new Set(['jimeng_i2v_first_v30', 'jimeng_i2v_first_v30_1080', 'jimeng_ti2v_v30_pro']);
const SUBMIT = 'CVSync2AsyncSubmitTask';
const RESULT = 'CVSync2AsyncGetResult';

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

const rid = () => new Date().toISOString().replace(/\D/g, '').slice(0, 14) + randomBytes(9).toString('hex').toUpperCase();
const envelope = (code: number, message: string, data: unknown) => ({ code, data, message, request_id: rid(), status: code, time_elapsed: '42.1ms' });

interface Task {
  id: string;
  reqKey: string;
  createdAt: number;
  fault: VideoSimFault;
  frames: number;
  video: Promise<Buffer>;
  billed: boolean;
}

export async function startJimengVideoSimulator(opts: JimengVideoSimulatorOptions = {}): Promise<JimengVideoSimulator> {
  const accessKey = opts.accessKey ?? 'AKLTvideosim';
  const secretKey = opts.secretKey ?? 'video-sim-secret';
  const region = opts.region ?? 'cn-north-1';
  const service = opts.service ?? 'cv';
  const taskMs = opts.taskMs ?? 3_000;
  const urlTtlMs = opts.urlTtlMs ?? 3600_000;
  const renderScale = opts.renderScale ?? 0.25;
  let script = [...(opts.script ?? [])];
  const tasks = new Map<string, Task>();
  const files = new Map<string, { data: Buffer; expiresAt: number }>();
  const hanging = new Set<ServerResponse>();
  const work = await mkdtemp(join(tmpdir(), 'jimeng-video-sim-'));
  const stats: JimengVideoSimulator['stats'] = { submits: 0, tasksCreated: 0, polls: 0, downloads: 0, billedVideos: 0, authFailures: 0, lastSubmit: null };

  const send = (res: ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  const invalid = (res: ServerResponse, why: string) => send(res, 400, envelope(50215, `Input invalid for this service. ${why}`, null));

  /** The "generated" clip: the photo with a slow push-in, 24 fps, frames as asked. */
  async function renderVideo(image: Buffer, reqKey: string, frames: number): Promise<Buffer> {
    const meta = await sharp(image).metadata();
    const [w, h] = outputSize(reqKey, meta.width ?? 1, meta.height ?? 1);
    const sw = 2 * Math.round((w * renderScale) / 2);
    const sh = 2 * Math.round((h * renderScale) / 2);
    const dir = await mkdtemp(join(work, 'task-'));
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

  async function validate(reqKey: string, body: Record<string, unknown>): Promise<{ image: Buffer | null; frames: number } | string> {
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

  async function handleSubmit(res: ServerResponse, body: Record<string, unknown>): Promise<void> {
    stats.submits++;
    stats.lastSubmit = { ...body, binary_data_base64: Array.isArray(body.binary_data_base64) ? `[${body.binary_data_base64.length}]` : undefined };
    const reqKey = typeof body.req_key === 'string' ? body.req_key : '';
    if (!VIDEO_KEYS.has(reqKey)) return invalid(res, 'unknown req_key');
    const v = await validate(reqKey, body);
    if (typeof v === 'string') return invalid(res, v);
    const fault = script.shift() ?? 'none';
    if (fault === 'throttle') return send(res, 429, envelope(50429, 'Request Has Reached API Limit, Please Try Later', null));
    if (fault === 'concurrent') return send(res, 429, envelope(50430, 'Request Has Reached API Concurrent Limit, Please Try Later', null));
    if (fault === 'input_audit') return send(res, 400, envelope(50411, 'Pre Img Risk Not Pass', null));
    if (fault === 'server_error') return send(res, 500, envelope(50500, 'Internal Error', null));
    if (fault === 'hang') {
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
      return;
    }
    const id = `7${Date.now()}${Math.floor(Math.random() * 1e6).toString().padStart(6, '0')}`;
    const image = v.image ?? (await sharp({ create: { width: 1248, height: 1664, channels: 3, background: '#8b1a1a' } }).jpeg().toBuffer());
    const video = renderVideo(image, reqKey, v.frames);
    video.catch(() => {});
    tasks.set(id, { id, reqKey, createdAt: Date.now(), fault, frames: v.frames, video, billed: false });
    stats.tasksCreated++;
    send(res, 200, envelope(10000, 'Success', { task_id: id }));
  }

  async function handleResult(res: ServerResponse, body: Record<string, unknown>, base: string): Promise<void> {
    stats.polls++;
    const task = tasks.get(typeof body.task_id === 'string' ? body.task_id : '');
    if (!task) return send(res, 200, envelope(10000, 'Success', { status: 'not_found', video_url: null }));
    if (task.reqKey !== body.req_key) return invalid(res, 'req_key does not match the task');
    if (typeof body.req_json === 'string') {
      let rj: Record<string, unknown>;
      try {
        rj = JSON.parse(body.req_json) as Record<string, unknown>;
      } catch {
        return invalid(res, 'req_json is not JSON');
      }
      // Video models accept only aigc_meta; producer_id and content_propagator are required there.
      if (Object.keys(rj).some((k) => k !== 'aigc_meta')) return invalid(res, 'req_json accepts aigc_meta only');
      const m = rj.aigc_meta as Record<string, unknown> | undefined;
      if (m && (typeof m.producer_id !== 'string' || !m.producer_id || typeof m.content_propagator !== 'string' || !m.content_propagator)) {
        return invalid(res, 'aigc_meta.producer_id and content_propagator are required');
      }
    }
    const age = Date.now() - task.createdAt;
    if (age < taskMs * 0.2) return send(res, 200, envelope(10000, 'Success', { status: 'in_queue', video_url: null }));
    if (age < taskMs) return send(res, 200, envelope(10000, 'Success', { status: 'generating', video_url: null }));
    if (task.fault === 'post_audit') return send(res, 400, envelope(50516, 'Post Video Risk Not Pass', null));
    let data: Buffer;
    try {
      data = await task.video;
    } catch (e) {
      return send(res, 500, envelope(50501, `Internal RPC Error ${(e as Error).message}`, null));
    }
    if (!task.billed) {
      task.billed = true;
      stats.billedVideos++;
    }
    const name = `${task.id}-${randomBytes(8).toString('hex')}.mp4`;
    files.set(name, { data, expiresAt: task.fault === 'url_expired' ? 0 : Date.now() + urlTtlMs });
    send(res, 200, envelope(10000, 'Success', { status: 'done', video_url: `${base}/files/${name}?X-Expires=${Math.round(urlTtlMs / 1000)}`, aigc_meta_tagged: typeof body.req_json === 'string' }));
  }

  async function handle(req: IncomingMessage, res: ServerResponse, base: string): Promise<void> {
    const url = new URL(req.url ?? '/', base);
    if (req.method === 'GET' && url.pathname.startsWith('/files/')) {
      stats.downloads++;
      const f = files.get(url.pathname.slice('/files/'.length));
      if (!f) return send(res, 404, { Code: 'NoSuchKey' });
      if (Date.now() > f.expiresAt) return send(res, 403, { Code: 'AccessDenied', Message: 'Request has expired' });
      res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': f.data.length });
      return void res.end(f.data);
    }
    const action = url.searchParams.get('Action') ?? '';
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const gateway = (status: number, codeN: number, code: string, message: string) => {
      stats.authFailures++;
      send(res, status, { ResponseMetadata: { RequestId: rid(), Action: action, Version: '2022-08-31', Service: service, Region: region, Error: { CodeN: codeN, Code: code, Message: message } } });
    };
    if (req.method !== 'POST' || url.searchParams.get('Version') !== '2022-08-31' || (action !== SUBMIT && action !== RESULT)) {
      return gateway(404, 100008, 'InvalidActionOrVersion', `Could not find operation ${action}`);
    }
    const auth = parseAuthorization(req.headers.authorization);
    if (!auth) return gateway(401, 100005, 'MissingSignature', 'missing Authorization');
    if (auth.accessKey !== accessKey) return gateway(401, 100009, 'InvalidAccessKey', 'access key not found');
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
    const names = auth.signedNames.map((n) => n.toLowerCase());
    if (!names.includes('host') || !names.includes('x-date')) return gateway(401, 100010, 'SignatureDoesNotMatch', 'host and x-date must be signed');
    const bodyHash = sha256OfBody(raw);
    if (headers['x-content-sha256'] !== undefined && headers['x-content-sha256'] !== bodyHash) {
      return gateway(401, 100010, 'SignatureDoesNotMatch', 'X-Content-Sha256 does not match the body');
    }
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) query[k] = v;
    const expected = computeSignature({ method: 'POST', path: url.pathname, query, headers, signedNames: names, bodySha256: bodyHash, secretKey, region, service, xDate: headers['x-date'] ?? '' });
    if (!sameSignature(expected.signature, auth.signature)) return gateway(401, 100010, 'SignatureDoesNotMatch', 'The request signature we calculated does not match');
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
      if (!body || typeof body !== 'object' || Array.isArray(body)) throw new Error('not an object');
    } catch {
      return invalid(res, 'body is not a JSON object');
    }
    if (action === SUBMIT) return handleSubmit(res, body);
    return handleResult(res, body, base);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res, `http://${req.headers.host ?? '127.0.0.1'}`).catch((e: unknown) => {
      if (!res.headersSent) send(res, 500, envelope(50500, `Internal Error ${(e as Error).message}`, null));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    accessKey,
    secretKey,
    stats,
    setScript(s) {
      script = [...s];
    },
    async close() {
      for (const r of hanging) r.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.allSettled([...tasks.values()].map((t) => t.video));
      await rm(work, { recursive: true, force: true });
    },
  };
}
