// A protocol-faithful local stand-in for the Volcengine Visual API (Jimeng), on loopback only.
// It checks V4 signatures the way the gateway does (with the client's own SignedHeaders, the body
// hash and the clock skew), speaks the documented envelopes and error codes, runs tasks through
// in_queue → generating → done with a realistic latency, and renders results from the inputs (the
// family's photos on a festive scene, seed printed) so the flow and the quality gate can be watched.
// Faults are injected by configuration. Never what production talks to.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { request } from 'undici';
import { computeSignature, parseAuthorization, sameSignature, sha256OfBody } from '../../main/services/generator/jimeng/sign';
import { mulberry32 } from '../../shared/random';

export type SimFault =
  | 'none'
  | 'throttle' // 429 / 50429 on submit
  | 'concurrent' // 429 / 50430 on submit
  | 'input_audit' // 400 / 50411 on submit
  | 'text_audit' // 400 / 50413 on submit
  | 'server_error' // 500 / 50500 on submit
  | 'hang' // submit never answered
  | 'slow' // task takes slowFactor × longer
  | 'post_audit' // GetResult 400 / 50511 with data:null
  | 'partial' // done, but fewer images than asked (none for a single-image task)
  | 'broken_face'; // done, but the people are smeared: the quality gate must reject it

export interface SimFaultRates {
  throttle?: number;
  concurrent?: number;
  input_audit?: number;
  text_audit?: number;
  server_error?: number;
  hang?: number;
  slow?: number;
  post_audit?: number;
  partial?: number;
  broken_face?: number;
}

export type SimLatency = { kind: 'fixed'; ms: number } | { kind: 'lognormal'; medianMs: number; sigma: number };

export interface JimengSimulatorOptions {
  port?: number;
  /** Accepted credentials; the client must sign with these. */
  accessKey?: string;
  secretKey?: string;
  region?: string;
  service?: string;
  /** Signature clock-skew tolerance (s); the documented X-Expires default is 900. */
  maxSkewSec?: number;
  latency?: SimLatency;
  /** Share of a task's time spent in_queue before generating. */
  queueShare?: number;
  slowFactor?: number;
  /** Task lifetime after creation (Jimeng: 12 h), then not_found. */
  taskTtlMs?: number;
  /** More tasks running than this → 50430. 0 = unlimited. */
  maxConcurrentTasks?: number;
  /** Probabilities per submit, 0..1. */
  faults?: SimFaultRates;
  /** Deterministic faults: each submit takes the next entry (after the script ends, rates apply). */
  script?: SimFault[];
  /** Words in a prompt that trip the text audit (50412). */
  bannedWords?: string[];
  /** PRNG seed, for reproducible fault sequences. */
  randomSeed?: number;
  /** Output scale for rendering (1 = the requested size); smaller keeps tests fast. */
  renderScale?: number;
}

export interface JimengSimulatorStats {
  requests: number;
  submits: number;
  tasksCreated: number;
  polls: number;
  /** Output images produced by finished tasks (what Jimeng bills, fetched or not). */
  billedImages: number;
  authFailures: number;
  faults: Partial<Record<SimFault, number>>;
  /** Most tasks generating at once. */
  peakConcurrentTasks: number;
}

export interface JimengSimulator {
  url: string;
  accessKey: string;
  secretKey: string;
  stats: JimengSimulatorStats;
  /** Replace fault rates / script at run time (e.g. from the CLI or a test). */
  setFaults(rates: SimFaultRates, script?: SimFault[]): void;
  setLatency(latency: SimLatency): void;
  close(): Promise<void>;
}

interface Task {
  id: string;
  reqKey: string;
  createdAt: number;
  durationMs: number;
  queueMs: number;
  fault: SimFault;
  body: Record<string, unknown>;
  outputs: number;
  result: Promise<Buffer[]> | null;
  billed: boolean;
}

/** Image req_keys this simulator renders (video keys have their own simulator in services/motion). */
const KNOWN_KEYS = new Set(['jimeng_t2i_v40', 'jimeng_i2i_v30', 'jimeng_seedream46_cvtob']);


const requestId = () => new Date().toISOString().replace(/\D/g, '').slice(0, 14) + randomBytes(9).toString('hex').toUpperCase();

function envelope(code: number, message: string, data: unknown) {
  return { code, data, message, request_id: requestId(), status: code, time_elapsed: `${(Math.random() * 80 + 20).toFixed(6)}ms` };
}

function gatewayError(action: string, codeN: number, code: string, message: string) {
  return {
    ResponseMetadata: { RequestId: requestId(), Action: action, Version: '2022-08-31', Service: 'cv', Region: 'cn-north-1', Error: { CodeN: codeN, Code: code, Message: message } },
  };
}

const BUSINESS: Record<string, [number, number, string]> = {
  throttle: [429, 50429, 'Request Has Reached API Limit, Please Try Later'],
  concurrent: [429, 50430, 'Request Has Reached API Concurrent Limit, Please Try Later'],
  input_audit: [400, 50411, 'Pre Img Risk Not Pass'],
  text_audit: [400, 50413, 'Post Text Risk Not Pass'],
  text_banned: [400, 50412, 'Text Risk Not Pass'],
  server_error: [500, 50500, 'Internal Error'],
  post_audit: [400, 50511, 'Post Img Risk Not Pass'],
  invalid: [400, 50215, 'Input invalid for this service.'],
};

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        resolve(null);
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', () => resolve(null));
  });
}

/** X-Date → epoch ms, or NaN. */
function parseXDate(v: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(v);
  if (!m) return Number.NaN;
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
}

const clampTo16 = (v: number, lo: number, hi: number) => Math.round(Math.min(hi, Math.max(lo, v)) / 16) * 16;

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

export async function startJimengSimulator(opts: JimengSimulatorOptions = {}): Promise<JimengSimulator> {
  const accessKey = opts.accessKey ?? 'AKLTsimulator';
  const secretKey = opts.secretKey ?? 'simulator-secret';
  const region = opts.region ?? 'cn-north-1';
  const service = opts.service ?? 'cv';
  const maxSkewMs = (opts.maxSkewSec ?? 900) * 1000;
  let latency: SimLatency = opts.latency ?? { kind: 'lognormal', medianMs: 6000, sigma: 0.35 };
  const queueShare = opts.queueShare ?? 0.15;
  const slowFactor = opts.slowFactor ?? 4;
  const ttlMs = opts.taskTtlMs ?? 12 * 3600_000;
  const maxConcurrent = opts.maxConcurrentTasks ?? 0;
  const renderScale = opts.renderScale ?? 1;
  const banned = opts.bannedWords ?? ['暴力', '血腥'];
  let rates: SimFaultRates = { ...opts.faults };
  let script: SimFault[] = [...(opts.script ?? [])];
  const rnd = mulberry32(opts.randomSeed ?? 20260122);
  const tasks = new Map<string, Task>();
  const files = new Map<string, Buffer>();
  const hanging = new Set<ServerResponse>();
  const billing = new Set<NodeJS.Timeout>();
  const stats: JimengSimulatorStats = { requests: 0, submits: 0, tasksCreated: 0, polls: 0, billedImages: 0, authFailures: 0, faults: {}, peakConcurrentTasks: 0 };

  const sampleLatency = (): number => {
    if (latency.kind === 'fixed') return latency.ms;
    // Box–Muller on the seeded PRNG: log-normal around the median.
    const u = Math.max(1e-9, rnd());
    const v = rnd();
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    return Math.max(200, latency.medianMs * Math.exp(latency.sigma * z));
  };

  const drawFault = (): SimFault => {
    const next = script.shift();
    if (next) return next;
    // One draw against the cumulative rates, so {a: 0.1, b: 0.1} really faults 20 % of submits.
    const r = rnd();
    let acc = 0;
    for (const [name, p] of Object.entries(rates) as [SimFault, number][]) {
      acc += Math.max(0, p);
      if (r < acc) return name;
    }
    return 'none';
  };

  const running = (now: number) => {
    let n = 0;
    for (const t of tasks.values()) if (now < t.createdAt + t.durationMs) n++;
    return n;
  };

  const send = (res: ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  const business = (res: ServerResponse, key: keyof typeof BUSINESS) => {
    const [http, code, msg] = BUSINESS[key]!;
    send(res, http, envelope(code, msg, null));
  };
  const count = (f: SimFault) => {
    stats.faults[f] = (stats.faults[f] ?? 0) + 1;
  };

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

  /** Parameter checks per req_key (§3); returns an error text for 50215, or null. */
  function validate(reqKey: string, body: Record<string, unknown>): string | null {
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

  function outputSize(reqKey: string, body: Record<string, unknown>): [number, number] {
    const w = typeof body.width === 'number' ? body.width : undefined;
    const h = typeof body.height === 'number' ? body.height : undefined;
    if (reqKey === 'jimeng_i2i_v30') return [clampTo16(w ?? 1328, 512, 1536), clampTo16(h ?? 1328, 512, 1536)];
    if (w && h) return [w, h];
    return [2048, 2048];
  }

  function startRender(task: Task): Promise<Buffer[]> {
    return (async () => {
      const inputs = await imagesOf(task.body);
      const [w, h] = outputSize(task.reqKey, task.body);
      const seed = typeof task.body.seed === 'number' && task.body.seed >= 0 ? task.body.seed : Math.floor(rnd() * 1e9);
      const outs: Buffer[] = [];
      for (let i = 0; i < task.outputs; i++) {
        outs.push(
          await render(
            inputs,
            Math.max(64, Math.round(w * renderScale)),
            Math.max(64, Math.round(h * renderScale)),
            seed + i,
            task.reqKey,
            task.fault === 'broken_face',
            String(task.body.prompt ?? ''),
          ),
        );
      }
      return outs;
    })();
  }

  async function handleSubmit(res: ServerResponse, body: Record<string, unknown>): Promise<void> {
    stats.submits++;
    const reqKey = typeof body.req_key === 'string' ? body.req_key : '';
    if (!KNOWN_KEYS.has(reqKey)) return business(res, 'invalid');
    const problem = validate(reqKey, body);
    if (problem) return send(res, 400, envelope(50215, `Input invalid for this service. ${problem}`, null));
    const prompt = body.prompt as string;
    if (banned.some((w) => prompt.includes(w))) return business(res, 'text_banned');
    const fault = drawFault();
    const now = Date.now();
    switch (fault) {
      case 'throttle':
      case 'concurrent':
      case 'input_audit':
      case 'text_audit':
      case 'server_error':
        count(fault);
        return business(res, fault);
      case 'hang':
        count(fault);
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return;
    }
    if (maxConcurrent > 0 && running(now) >= maxConcurrent) {
      count('concurrent');
      return business(res, 'concurrent');
    }
    if (fault !== 'none') count(fault);
    let durationMs = sampleLatency();
    if (fault === 'slow') durationMs *= slowFactor;
    const id = (BigInt(Math.floor(rnd() * 9e8) + 1e8) * 10_000_000_000n + BigInt(Math.floor(rnd() * 1e10))).toString();
    const groupWanted = reqKey === 'jimeng_t2i_v40' && body.force_single !== true && /组图|一系列|几张/.test(prompt);
    const task: Task = {
      id,
      reqKey,
      createdAt: now,
      durationMs,
      queueMs: durationMs * queueShare,
      fault,
      body,
      outputs: groupWanted ? 4 : 1,
      result: null,
      billed: false,
    };
    if (fault === 'partial') task.outputs = Math.max(0, task.outputs - 1) || 0;
    tasks.set(id, task);
    stats.tasksCreated++;
    stats.peakConcurrentTasks = Math.max(stats.peakConcurrentTasks, running(now));
    // Render in the background while the task "generates", so GetResult after done is quick.
    task.result = startRender(task);
    task.result.catch(() => {});
    // Jimeng bills an output when the task produces it, whether or not anyone fetches it.
    const bill = setTimeout(() => {
      if (task.fault === 'post_audit' || task.billed) return;
      task.billed = true;
      task.result?.then((imgs) => (stats.billedImages += imgs.length)).catch(() => {});
    }, durationMs);
    bill.unref();
    billing.add(bill);
    send(res, 200, envelope(10000, 'Success', { task_id: id }));
  }

  async function handleResult(res: ServerResponse, body: Record<string, unknown>, baseUrl: string): Promise<void> {
    stats.polls++;
    const taskId = typeof body.task_id === 'string' ? body.task_id : '';
    const task = tasks.get(taskId);
    const now = Date.now();
    if (!task || task.reqKey !== body.req_key) {
      if (!task && /^\d+$/.test(taskId)) return send(res, 200, envelope(10000, 'Success', { status: 'not_found', binary_data_base64: null, image_urls: null }));
      return business(res, 'invalid');
    }
    if (now > task.createdAt + ttlMs) {
      tasks.delete(taskId);
      return send(res, 200, envelope(10000, 'Success', { status: 'not_found', binary_data_base64: null, image_urls: null }));
    }
    if (now < task.createdAt + task.queueMs) return send(res, 200, envelope(10000, 'Success', { status: 'in_queue', binary_data_base64: null, image_urls: null }));
    if (now < task.createdAt + task.durationMs) return send(res, 200, envelope(10000, 'Success', { status: 'generating', binary_data_base64: null, image_urls: null }));
    if (task.fault === 'post_audit') return business(res, 'post_audit');
    let images: Buffer[];
    try {
      images = await task.result!;
    } catch (e) {
      return send(res, 400, envelope(50215, `Input invalid for this service. ${(e as Error).message}`, null));
    }
    let reqJson: Record<string, unknown> = {};
    if (typeof body.req_json === 'string') {
      try {
        reqJson = JSON.parse(body.req_json) as Record<string, unknown>;
      } catch {
        return send(res, 400, envelope(50215, 'Input invalid for this service. req_json is not JSON', null));
      }
    }
    const meta = reqJson.aigc_meta as Record<string, unknown> | undefined;
    if (meta !== undefined && (typeof meta.producer_id !== 'string' || meta.producer_id.length === 0 || meta.producer_id.length > 256)) {
      return send(res, 400, envelope(50215, 'Input invalid for this service. aigc_meta.producer_id', null));
    }
    if (reqJson.return_url === true) {
      const urls = images.map((img, i) => {
        const name = `${task.id}-${i}-${randomBytes(8).toString('hex')}.jpg`;
        files.set(name, img);
        return `${baseUrl}/files/${name}`;
      });
      return send(res, 200, envelope(10000, 'Success', { status: 'done', binary_data_base64: null, image_urls: urls }));
    }
    send(res, 200, envelope(10000, 'Success', { status: 'done', binary_data_base64: images.map((b) => b.toString('base64')), image_urls: null }));
  }

  async function handle(req: IncomingMessage, res: ServerResponse, baseUrl: string): Promise<void> {
    stats.requests++;
    const url = new URL(req.url ?? '/', baseUrl);
    if (req.method === 'GET' && url.pathname.startsWith('/files/')) {
      const f = files.get(url.pathname.slice('/files/'.length));
      if (!f) return send(res, 404, { error: 'not found' });
      res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': f.length });
      return void res.end(f);
    }
    if (req.method === 'GET' && url.pathname === '/health') return send(res, 200, { ok: true, tasks: tasks.size });
    const action = url.searchParams.get('Action') ?? '';
    const raw = await readBody(req, 64 * 1024 * 1024);
    if (raw === null) return send(res, 413, gatewayError(action, 100004, 'MissingRequestInfo', 'body too large'));
    if (req.method !== 'POST' || url.searchParams.get('Version') !== '2022-08-31' || ![SUBMIT, RESULT].includes(action)) {
      return send(res, 404, gatewayError(action, 100008, 'InvalidActionOrVersion', `Could not find operation ${action}`));
    }
    // ---- the gateway's signature check
    const auth = parseAuthorization(req.headers.authorization);
    const fail = (codeN: number, code: string, msg: string, status = 401) => {
      stats.authFailures++;
      send(res, status, gatewayError(action, codeN, code, msg));
    };
    if (!auth) return fail(100005, 'MissingSignature', 'missing or malformed Authorization');
    if (auth.accessKey !== accessKey) return fail(100009, 'InvalidAccessKey', 'access key not found');
    if (auth.region !== region || auth.service !== service) return fail(100010, 'SignatureDoesNotMatch', 'wrong credential scope');
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
    const names = auth.signedNames.map((n) => n.toLowerCase());
    if (!names.includes('host') || !names.includes('x-date')) return fail(100010, 'SignatureDoesNotMatch', 'host and x-date must be signed');
    if (names.some((n) => headers[n] === undefined)) return fail(100010, 'SignatureDoesNotMatch', 'a signed header is missing');
    const xDate = headers['x-date'] ?? '';
    const t = parseXDate(xDate);
    if (!Number.isFinite(t) || xDate.slice(0, 8) !== auth.shortDate) return fail(100006, 'InvalidTimestamp', 'bad X-Date', 400);
    if (Math.abs(Date.now() - t) > maxSkewMs) return fail(100006, 'InvalidTimestamp', 'signature of the request is expired', 400);
    const bodyHash = sha256OfBody(raw);
    if (headers['x-content-sha256'] !== undefined && headers['x-content-sha256'] !== bodyHash) {
      return fail(100010, 'SignatureDoesNotMatch', 'X-Content-Sha256 does not match the body');
    }
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) query[k] = v;
    const expected = computeSignature({
      method: req.method,
      path: url.pathname,
      query,
      headers,
      signedNames: names,
      bodySha256: bodyHash,
      secretKey,
      region,
      service,
      xDate,
    });
    if (!sameSignature(expected.signature, auth.signature)) return fail(100010, 'SignatureDoesNotMatch', 'The request signature we calculated does not match');
    // ---- the service
    let body: Record<string, unknown>;
    try {
      const parsed = JSON.parse(raw.toString('utf8')) as unknown;
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      body = parsed as Record<string, unknown>;
    } catch {
      return business(res, 'invalid');
    }
    if (action === SUBMIT) return handleSubmit(res, body);
    return handleResult(res, body, baseUrl);
  }

  const server: Server = createServer((req, res) => {
    const base = `http://${req.headers.host ?? '127.0.0.1'}`;
    handle(req, res, base).catch((e: unknown) => {
      if (!res.headersSent) send(res, 500, envelope(50500, `Internal Error ${(e as Error).message}`, null));
    });
  });
  // Expired tasks and their files are dropped now and then, like the real 12 h lifetime.
  const sweeper = setInterval(() => {
    const now = Date.now();
    for (const [id, t] of tasks) if (now > t.createdAt + ttlMs + 60_000) tasks.delete(id);
    if (files.size > 200) for (const k of [...files.keys()].slice(0, files.size - 200)) files.delete(k);
  }, 30_000);
  sweeper.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    accessKey,
    secretKey,
    stats,
    setFaults(r, s) {
      rates = { ...r };
      script = [...(s ?? [])];
    },
    setLatency(l) {
      latency = l;
    },
    async close() {
      clearInterval(sweeper);
      for (const t of billing) clearTimeout(t);
      for (const r of hanging) r.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const SUBMIT = 'CVSync2AsyncSubmitTask';
const RESULT = 'CVSync2AsyncGetResult';
