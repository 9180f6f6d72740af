// A protocol-faithful local stand-in for the Volcengine Visual API (Jimeng), images and video in one
// server, on loopback only. One gateway checks V4 signatures the way the real one does (the client's
// own SignedHeaders, the body hash, the credential scope and the clock skew); one task table runs
// every task through in_queue → generating → done with a realistic latency; the req_key picks the
// model: images (images.ts: the family's photos on a festive scene) or image-to-video (video.ts: a
// real H.264 clip behind a `video_url` that expires). The documented envelopes and error codes, and
// faults injected by rate or script, are shared. Never what production talks to.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { computeSignature, parseAuthorization, sameSignature, sha256OfBody } from '../../main/services/generator/jimeng/sign';
import { mulberry32 } from '../../shared/random';
import { IMAGE_KEYS, imageOutputs, imageReqJson, renderImages, validateImageTask } from './images';
import { VIDEO_KEYS, renderVideo, validateVideoTask, videoReqJson } from './video';

export type SimFault =
  | 'none'
  | 'throttle' // 429 / 50429 on submit
  | 'concurrent' // 429 / 50430 on submit
  | 'input_audit' // 400 / 50411 on submit
  | 'text_audit' // 400 / 50413 on submit
  | 'server_error' // 500 / 50500 on submit
  | 'hang' // submit never answered
  | 'slow' // task takes slowFactor × longer
  | 'post_audit' // GetResult 400 / 50511 (image) or 50516 (video) with data:null
  | 'partial' // image: done, but fewer images than asked (none for a single-image task)
  | 'broken_face' // image: done, but the people are smeared: the quality gate must reject it
  | 'url_expired'; // video: done, but the video URL is already dead when fetched

export type SimFaultRates = Partial<Record<Exclude<SimFault, 'none'>, number>>;

/** Faults that only make sense for one kind of task; drawn for the other kind they are 'none'. */
const IMAGE_ONLY: ReadonlySet<SimFault> = new Set(['partial', 'broken_face']);
const VIDEO_ONLY: ReadonlySet<SimFault> = new Set(['url_expired']);

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
  /** Submit → done for image tasks (default log-normal around 6 s). */
  latency?: SimLatency;
  /** Submit → done for video tasks (default fixed 3 s). */
  videoLatency?: SimLatency;
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
  /** Output scale for rendering images (1 = the requested size); smaller keeps tests fast. */
  renderScale?: number;
  /** Output scale for rendering video (default 0.25 of the documented size). */
  videoRenderScale?: number;
  /** Video URL lifetime (Jimeng: 1 h). */
  videoUrlTtlMs?: number;
}

export interface JimengSimulatorStats {
  requests: number;
  submits: number;
  tasksCreated: number;
  polls: number;
  /** GETs of result files (image_urls with return_url, video_url). */
  downloads: number;
  /** Output images produced by finished tasks (what Jimeng bills, fetched or not). */
  billedImages: number;
  /** Videos produced by finished tasks. */
  billedVideos: number;
  authFailures: number;
  faults: Partial<Record<SimFault, number>>;
  /** Most tasks generating at once. */
  peakConcurrentTasks: number;
  /** The last submitted body, inline images replaced by their count (e.g. "[1]"). */
  lastSubmit: Record<string, unknown> | null;
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
  kind: 'image' | 'video';
  reqKey: string;
  createdAt: number;
  durationMs: number;
  queueMs: number;
  fault: SimFault;
  body: Record<string, unknown>;
  /** Images asked for (video: 1 clip). */
  outputs: number;
  result: Promise<Buffer[]>;
  billed: boolean;
}

const SUBMIT = 'CVSync2AsyncSubmitTask';
const RESULT = 'CVSync2AsyncGetResult';

const requestId = () => new Date().toISOString().replace(/\D/g, '').slice(0, 14) + randomBytes(9).toString('hex').toUpperCase();

function envelope(code: number, message: string, data: unknown) {
  return { code, data, message, request_id: requestId(), status: code, time_elapsed: `${(Math.random() * 80 + 20).toFixed(6)}ms` };
}

const BUSINESS = {
  throttle: [429, 50429, 'Request Has Reached API Limit, Please Try Later'],
  concurrent: [429, 50430, 'Request Has Reached API Concurrent Limit, Please Try Later'],
  input_audit: [400, 50411, 'Pre Img Risk Not Pass'],
  text_audit: [400, 50413, 'Post Text Risk Not Pass'],
  text_banned: [400, 50412, 'Text Risk Not Pass'],
  server_error: [500, 50500, 'Internal Error'],
  post_audit: [400, 50511, 'Post Img Risk Not Pass'],
  post_audit_video: [400, 50516, 'Post Video Risk Not Pass'],
  invalid: [400, 50215, 'Input invalid for this service.'],
} as const satisfies Record<string, readonly [number, number, string]>;

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

export async function startJimengSimulator(opts: JimengSimulatorOptions = {}): Promise<JimengSimulator> {
  const accessKey = opts.accessKey ?? 'AKLTsimulator';
  const secretKey = opts.secretKey ?? 'simulator-secret';
  const region = opts.region ?? 'cn-north-1';
  const service = opts.service ?? 'cv';
  const maxSkewMs = (opts.maxSkewSec ?? 900) * 1000;
  let latency: SimLatency = opts.latency ?? { kind: 'lognormal', medianMs: 6000, sigma: 0.35 };
  const videoLatency: SimLatency = opts.videoLatency ?? { kind: 'fixed', ms: 3000 };
  const queueShare = opts.queueShare ?? 0.15;
  const slowFactor = opts.slowFactor ?? 4;
  const ttlMs = opts.taskTtlMs ?? 12 * 3600_000;
  const maxConcurrent = opts.maxConcurrentTasks ?? 0;
  const renderScale = opts.renderScale ?? 1;
  const videoRenderScale = opts.videoRenderScale ?? 0.25;
  const videoUrlTtlMs = opts.videoUrlTtlMs ?? 3600_000;
  const banned = opts.bannedWords ?? ['暴力', '血腥'];
  let rates: SimFaultRates = { ...opts.faults };
  let script: SimFault[] = [...(opts.script ?? [])];
  const rnd = mulberry32(opts.randomSeed ?? 20260122);
  const tasks = new Map<string, Task>();
  /** Result files behind image_urls / video_url, with the time their signed URL dies. */
  const files = new Map<string, { data: Buffer; type: string; expiresAt: number }>();
  const hanging = new Set<ServerResponse>();
  const billing = new Set<NodeJS.Timeout>();
  let videoWork: Promise<string> | null = null;
  const stats: JimengSimulatorStats = {
    requests: 0,
    submits: 0,
    tasksCreated: 0,
    polls: 0,
    downloads: 0,
    billedImages: 0,
    billedVideos: 0,
    authFailures: 0,
    faults: {},
    peakConcurrentTasks: 0,
    lastSubmit: null,
  };

  const sampleLatency = (l: SimLatency): number => {
    if (l.kind === 'fixed') return l.ms;
    // Box–Muller on the seeded PRNG: log-normal around the median.
    const u = Math.max(1e-9, rnd());
    const v = rnd();
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    return Math.max(200, l.medianMs * Math.exp(l.sigma * z));
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
    const [http, code, msg] = BUSINESS[key];
    send(res, http, envelope(code, msg, null));
  };
  const invalid = (res: ServerResponse, why: string) => send(res, 400, envelope(50215, `Input invalid for this service. ${why}`, null));
  const count = (f: SimFault) => {
    stats.faults[f] = (stats.faults[f] ?? 0) + 1;
  };
  /** The data of a GetResult answer that carries no result yet, in the shape of the task's kind. */
  const pending = (kind: Task['kind'], status: string) =>
    envelope(10000, 'Success', kind === 'video' ? { status, video_url: null } : { status, binary_data_base64: null, image_urls: null });

  async function startVideo(reqKey: string, image: Buffer | null, frames: number): Promise<Buffer[]> {
    videoWork ??= mkdtemp(join(tmpdir(), 'jimeng-video-sim-'));
    return [await renderVideo(image, reqKey, frames, videoRenderScale, await videoWork)];
  }

  async function handleSubmit(res: ServerResponse, body: Record<string, unknown>): Promise<void> {
    stats.submits++;
    stats.lastSubmit = { ...body, binary_data_base64: Array.isArray(body.binary_data_base64) ? `[${body.binary_data_base64.length}]` : undefined };
    const reqKey = typeof body.req_key === 'string' ? body.req_key : '';
    const kind = IMAGE_KEYS.has(reqKey) ? 'image' : VIDEO_KEYS.has(reqKey) ? 'video' : null;
    if (!kind) return business(res, 'invalid');
    let start: () => Promise<Buffer[]>;
    if (kind === 'image') {
      const problem = validateImageTask(reqKey, body);
      if (problem) return invalid(res, problem);
      start = () => renderImages({ reqKey, body, outputs: task.outputs, broken: task.fault === 'broken_face' }, seedOf(body), renderScale);
    } else {
      const v = await validateVideoTask(reqKey, body);
      if (typeof v === 'string') return invalid(res, v);
      start = () => startVideo(reqKey, v.image, v.frames);
    }
    if (typeof body.prompt === 'string' && banned.some((w) => (body.prompt as string).includes(w))) return business(res, 'text_banned');
    let fault = drawFault();
    if ((kind === 'image' && VIDEO_ONLY.has(fault)) || (kind === 'video' && IMAGE_ONLY.has(fault))) fault = 'none';
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
    let durationMs = sampleLatency(kind === 'video' ? videoLatency : latency);
    if (fault === 'slow') durationMs *= slowFactor;
    const id = (BigInt(Math.floor(rnd() * 9e8) + 1e8) * 10_000_000_000n + BigInt(Math.floor(rnd() * 1e10))).toString();
    const outputs = kind === 'video' ? 1 : imageOutputs(reqKey, body);
    const task: Task = {
      id,
      kind,
      reqKey,
      createdAt: now,
      durationMs,
      queueMs: durationMs * queueShare,
      fault,
      body,
      outputs: fault === 'partial' ? outputs - 1 : outputs,
      result: Promise.resolve([]),
      billed: false,
    };
    tasks.set(id, task);
    stats.tasksCreated++;
    stats.peakConcurrentTasks = Math.max(stats.peakConcurrentTasks, running(now));
    // Render in the background while the task "generates", so GetResult after done is quick.
    task.result = start();
    task.result.catch(() => {});
    // Jimeng bills an output when the task produces it, whether or not anyone fetches it.
    const bill = setTimeout(() => {
      if (task.fault === 'post_audit' || task.billed) return;
      task.billed = true;
      task.result
        .then((outs) => {
          if (task.kind === 'video') stats.billedVideos += outs.length;
          else stats.billedImages += outs.length;
        })
        .catch(() => {});
    }, durationMs);
    bill.unref();
    billing.add(bill);
    send(res, 200, envelope(10000, 'Success', { task_id: id }));
  }

  function seedOf(body: Record<string, unknown>): number {
    return typeof body.seed === 'number' && body.seed >= 0 ? body.seed : Math.floor(rnd() * 1e9);
  }

  /** Keeps a result file for `ttlMs` and returns its URL. */
  function publish(baseUrl: string, task: Task, i: number, data: Buffer, type: string, ttlMs: number): string {
    const name = `${task.id}-${i}-${randomBytes(8).toString('hex')}.${type === 'video/mp4' ? 'mp4' : 'jpg'}`;
    files.set(name, { data, type, expiresAt: Date.now() + ttlMs });
    return `${baseUrl}/files/${name}`;
  }

  async function handleResult(res: ServerResponse, body: Record<string, unknown>, baseUrl: string): Promise<void> {
    stats.polls++;
    const taskId = typeof body.task_id === 'string' ? body.task_id : '';
    const task = tasks.get(taskId);
    const now = Date.now();
    const askedKind = VIDEO_KEYS.has(String(body.req_key)) ? 'video' : 'image';
    if (!task || task.reqKey !== body.req_key) {
      if (!task && /^\d+$/.test(taskId)) return send(res, 200, pending(askedKind, 'not_found'));
      return task ? invalid(res, 'req_key does not match the task') : business(res, 'invalid');
    }
    if (now > task.createdAt + ttlMs) {
      tasks.delete(taskId);
      return send(res, 200, pending(task.kind, 'not_found'));
    }
    const reqJson = task.kind === 'video' ? videoReqJson(body.req_json) : imageReqJson(body.req_json);
    if (typeof reqJson === 'string') return invalid(res, reqJson);
    if (now < task.createdAt + task.queueMs) return send(res, 200, pending(task.kind, 'in_queue'));
    if (now < task.createdAt + task.durationMs) return send(res, 200, pending(task.kind, 'generating'));
    if (task.fault === 'post_audit') return business(res, task.kind === 'video' ? 'post_audit_video' : 'post_audit');
    let outs: Buffer[];
    try {
      outs = await task.result;
    } catch (e) {
      if (task.kind === 'video') return send(res, 500, envelope(50501, `Internal RPC Error ${(e as Error).message}`, null));
      return invalid(res, (e as Error).message);
    }
    if (task.kind === 'video') {
      const ttl = task.fault === 'url_expired' ? -1 : videoUrlTtlMs;
      const url = `${publish(baseUrl, task, 0, outs[0]!, 'video/mp4', ttl)}?X-Expires=${Math.round(videoUrlTtlMs / 1000)}`;
      return send(res, 200, envelope(10000, 'Success', { status: 'done', video_url: url, aigc_meta_tagged: typeof body.req_json === 'string' }));
    }
    if (reqJson !== null && reqJson.returnUrl) {
      const urls = outs.map((img, i) => publish(baseUrl, task, i, img, 'image/jpeg', ttlMs));
      return send(res, 200, envelope(10000, 'Success', { status: 'done', binary_data_base64: null, image_urls: urls }));
    }
    send(res, 200, envelope(10000, 'Success', { status: 'done', binary_data_base64: outs.map((b) => b.toString('base64')), image_urls: null }));
  }

  async function handle(req: IncomingMessage, res: ServerResponse, baseUrl: string): Promise<void> {
    stats.requests++;
    const url = new URL(req.url ?? '/', baseUrl);
    if (req.method === 'GET' && url.pathname.startsWith('/files/')) {
      stats.downloads++;
      const f = files.get(url.pathname.slice('/files/'.length));
      if (!f) return send(res, 404, { Code: 'NoSuchKey' });
      if (Date.now() > f.expiresAt) return send(res, 403, { Code: 'AccessDenied', Message: 'Request has expired' });
      res.writeHead(200, { 'content-type': f.type, 'content-length': f.data.length });
      return void res.end(f.data);
    }
    if (req.method === 'GET' && url.pathname === '/health') return send(res, 200, { ok: true, tasks: tasks.size });
    const action = url.searchParams.get('Action') ?? '';
    const gatewayError = (status: number, codeN: number, code: string, message: string) =>
      send(res, status, { ResponseMetadata: { RequestId: requestId(), Action: action, Version: '2022-08-31', Service: service, Region: region, Error: { CodeN: codeN, Code: code, Message: message } } });
    const raw = await readBody(req, 64 * 1024 * 1024);
    if (raw === null) return gatewayError(413, 100004, 'MissingRequestInfo', 'body too large');
    if (req.method !== 'POST' || url.searchParams.get('Version') !== '2022-08-31' || ![SUBMIT, RESULT].includes(action)) {
      return gatewayError(404, 100008, 'InvalidActionOrVersion', `Could not find operation ${action}`);
    }
    // ---- the gateway's signature check (one for every model)
    const auth = parseAuthorization(req.headers.authorization);
    const fail = (codeN: number, code: string, msg: string, status = 401) => {
      stats.authFailures++;
      gatewayError(status, codeN, code, msg);
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
      // Renders still running write into the work folder: let them end before it goes.
      await Promise.allSettled([...tasks.values()].map((t) => t.result));
      if (videoWork) await rm(await videoWork, { recursive: true, force: true });
    },
  };
}
