// Low-level Jimeng / Volcengine Visual API client on undici: V4-signed POSTs, CVSync2AsyncSubmitTask
// and CVSync2AsyncGetResult, generic over req_key (the image generator and the 微动态 image-to-video
// both use it). Protocol notes: ../shared/protocols/jimeng.md. Errors come out as JimengError with a
// kind saying what to do; task ids stay strings (they exceed 2^53).
import { Agent, request, type Dispatcher } from 'undici';
import { logger } from '../../../infra/log';
import { JimengError, kindOfBusinessCode, kindOfGatewayError } from './errors';
import type { JimengConfig } from './config';
import { signRequest, xDateOf } from './sign';

const log = logger('jimeng.client');

export const SUBMIT_ACTION = 'CVSync2AsyncSubmitTask';
export const RESULT_ACTION = 'CVSync2AsyncGetResult';

export type ClientConfig = Pick<
  JimengConfig,
  'endpoint' | 'region' | 'service' | 'version' | 'accessKey' | 'secretKey' | 'sessionToken' | 'timeouts' | 'polling' | 'retries'
>;

export interface JimengClientOptions {
  config: ClientConfig;
  /** Shared connection pool; by default one Agent with the configured connect timeout. */
  dispatcher?: Dispatcher;
  /** Clock for X-Date (tests). */
  now?: () => Date;
}

/** The business envelope (§2.2). */
export interface Envelope {
  code: number;
  message: string;
  request_id?: string;
  data: Record<string, unknown> | null;
}

export interface TaskResult {
  /** in_queue | generating | done | not_found | expired (others passed through). */
  status: string;
  binaryDataBase64: string[];
  imageUrls: string[];
  videoUrl: string | null;
  data: Record<string, unknown>;
}

export interface RunOptions {
  signal?: AbortSignal;
  /** Serialised into GetResult's req_json (return_url, logo_info, aigc_meta). */
  reqJson?: Record<string, unknown>;
  /** Called after each accepted submit (a task exists and may be billed): store it before waiting. */
  onSubmitted?: (taskId: string) => void;
  /**
   * Called when a submit was sent but its answer never came (timeout, reset, abort): the service may
   * have created — and will bill — a task we cannot see. Submit has no idempotency key, so the
   * caller can only count it (the cost guard does, conservatively).
   */
  onLostSubmit?: () => void;
}

export interface RunOutcome extends TaskResult {
  taskId: string;
  /** Submits that created a task (resubmissions included). */
  submits: number;
  /** Retries of any kind (throttle back-offs, 5xx, resubmissions). */
  retries: number;
  elapsedMs: number;
}

const ABORTED = () => new JimengError('aborted', 'ABORTED', 'request aborted');

/** setTimeout-based so fake timers drive it; rejects with the abort reason. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(ABORTED());
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(ABORTED());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A signal that fires on the parent's abort or after ms; dispose() clears the timer. */
function deadline(ms: number, parent?: AbortSignal): { signal: AbortSignal; dispose: () => void; timedOut: () => boolean } {
  const ac = new AbortController();
  let fired = false;
  const t = setTimeout(() => {
    fired = true;
    ac.abort(new JimengError('server', 'TIMEOUT', `no answer within ${ms} ms`));
  }, ms);
  const onAbort = () => ac.abort(parent?.reason);
  if (parent?.aborted) ac.abort(parent.reason);
  else parent?.addEventListener('abort', onAbort, { once: true });
  return {
    signal: ac.signal,
    timedOut: () => fired,
    dispose: () => {
      clearTimeout(t);
      parent?.removeEventListener('abort', onAbort);
    },
  };
}

const TASK_ID = /"task_id"\s*:\s*"?(\d+)"?/;

function parseEnvelope(status: number, text: string, action: string): Envelope {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    const kind = status >= 500 ? 'server' : status === 429 ? 'throttled' : 'invalid';
    throw new JimengError(kind, `HTTP_${status}`, `${action}: HTTP ${status}, body is not JSON`, status);
  }
  const obj = (json ?? {}) as Record<string, unknown>;
  const meta = obj.ResponseMetadata as { RequestId?: string; Error?: { CodeN?: number; Code?: string; Message?: string } } | undefined;
  if (meta?.Error) {
    const codeN = Number(meta.Error.CodeN ?? 0);
    throw new JimengError(
      kindOfGatewayError(codeN, status),
      codeN || (meta.Error.Code ?? 'GATEWAY'),
      `${action}: ${meta.Error.Code ?? 'gateway error'} ${meta.Error.Message ?? ''}`.trim(),
      status,
      meta.RequestId ?? null,
    );
  }
  const code = Number(obj.code);
  const message = typeof obj.message === 'string' ? obj.message : '';
  const requestId = typeof obj.request_id === 'string' ? obj.request_id : null;
  if (!Number.isFinite(code)) {
    const kind = status >= 500 ? 'server' : 'invalid';
    throw new JimengError(kind, `HTTP_${status}`, `${action}: HTTP ${status} without a business code`, status, requestId);
  }
  if (code !== 10000) {
    throw new JimengError(kindOfBusinessCode(code, status), code, `${action}: ${code} ${message}`.trim(), status, requestId);
  }
  const data = obj.data && typeof obj.data === 'object' ? { ...(obj.data as Record<string, unknown>) } : null;
  // A task id that arrives as a JSON number has already lost digits in JSON.parse: take it from the text.
  if (data && 'task_id' in data && typeof data.task_id !== 'string') {
    const m = TASK_ID.exec(text);
    if (m?.[1]) data.task_id = m[1];
  }
  return { code, message, request_id: requestId ?? undefined, data };
}

/** Transport failures that happen before the request reaches the service: nothing can have been created. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'NO_CREDENTIALS']);

/** A submit that failed without an answer from the service (no HTTP status) may still have created a task. */
function mayHaveCreatedTask(e: unknown): boolean {
  if (!(e instanceof JimengError)) return false;
  if (e.httpStatus !== null) return false; // the service answered: an error answer creates no task
  if (e.kind !== 'server' && e.kind !== 'aborted') return false;
  return !NOT_SENT.has(String(e.code));
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x.length > 0) : []);

export class JimengClient {
  private readonly cfg: ClientConfig;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly now: () => Date;
  private readonly url: URL;
  /** Moving average of submit→done time per req_key: where the first poll lands. */
  private readonly typicalMs = new Map<string, number>();

  constructor(opts: JimengClientOptions) {
    this.cfg = opts.config;
    this.url = new URL(opts.config.endpoint);
    this.ownsDispatcher = !opts.dispatcher;
    this.dispatcher =
      opts.dispatcher ??
      new Agent({
        connect: { timeout: opts.config.timeouts.connectMs },
        headersTimeout: opts.config.timeouts.callMs,
        bodyTimeout: opts.config.timeouts.callMs,
        keepAliveTimeout: 10_000,
      });
    this.now = opts.now ?? (() => new Date());
  }

  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  /** One signed POST of an action; returns the success envelope or throws a JimengError. No retries. */
  async call(action: string, body: Record<string, unknown>, signal?: AbortSignal, version = this.cfg.version): Promise<Envelope> {
    if (!this.cfg.accessKey || !this.cfg.secretKey) {
      throw new JimengError('auth', 'NO_CREDENTIALS', 'Jimeng access key / secret key are not configured');
    }
    const raw = Buffer.from(JSON.stringify(body), 'utf8');
    const query = { Action: action, Version: version };
    const extra: Record<string, string> = { 'content-type': 'application/json' };
    if (this.cfg.sessionToken) extra['x-security-token'] = this.cfg.sessionToken;
    const signed = signRequest({
      method: 'POST',
      host: this.url.host,
      path: '/',
      query,
      headers: extra,
      body: raw,
      accessKey: this.cfg.accessKey,
      secretKey: this.cfg.secretKey,
      region: this.cfg.region,
      service: this.cfg.service,
      xDate: xDateOf(this.now()),
    });
    const target = new URL(this.url.toString());
    target.pathname = '/';
    target.search = new URLSearchParams(query).toString();
    const dl = deadline(this.cfg.timeouts.callMs, signal);
    try {
      const res = await request(target, {
        method: 'POST',
        headers: signed.headers,
        body: raw,
        signal: dl.signal,
        dispatcher: this.dispatcher,
      });
      const text = await res.body.text();
      return parseEnvelope(res.statusCode, text, action);
    } catch (e) {
      if (e instanceof JimengError) throw e;
      if (dl.timedOut()) throw new JimengError('server', 'TIMEOUT', `${action}: no answer within ${this.cfg.timeouts.callMs} ms`);
      if (signal?.aborted) throw ABORTED();
      const code = (e as { code?: string }).code ?? 'NETWORK';
      throw new JimengError('server', code, `${action}: ${(e as Error).message}`);
    } finally {
      dl.dispose();
    }
  }

  /**
   * CVSync2AsyncSubmitTask with retries for what cannot have created a task: throttling (50429/50430,
   * exponential back-off) and 5xx/transport errors (bounded). Returns the task id as a string.
   */
  async submit(
    reqKey: string,
    body: Record<string, unknown>,
    opts: { signal?: AbortSignal; onRetry?: () => void; onLostSubmit?: () => void } = {},
  ): Promise<string> {
    // A submit in flight is never cut by the caller's signal (only by the call timeout): cutting it
    // would leave a task we cannot see but will pay for. The signal stops retries and back-offs.
    const attempt = async () => {
      if (opts.signal?.aborted) throw ABORTED();
      try {
        return await this.call(SUBMIT_ACTION, { ...body, req_key: reqKey });
      } catch (e) {
        if (mayHaveCreatedTask(e)) opts.onLostSubmit?.();
        throw e;
      }
    };
    const env = await this.withRetries(attempt, opts.signal, opts.onRetry);
    const taskId = env.data?.task_id;
    if (typeof taskId !== 'string' || !/^\d+$/.test(taskId)) {
      throw new JimengError('invalid', 'NO_TASK_ID', `${SUBMIT_ACTION}: answer without a task id`, 200, env.request_id ?? null);
    }
    return taskId;
  }

  /** One CVSync2AsyncGetResult (5xx/transport retried within bounds). */
  async getResult(
    reqKey: string,
    taskId: string,
    opts: { reqJson?: Record<string, unknown>; signal?: AbortSignal; onRetry?: () => void } = {},
  ): Promise<TaskResult> {
    const body: Record<string, unknown> = { req_key: reqKey, task_id: taskId };
    if (opts.reqJson) body.req_json = JSON.stringify(opts.reqJson);
    const env = await this.withRetries(() => this.call(RESULT_ACTION, body, opts.signal), opts.signal, opts.onRetry);
    const data = env.data ?? {};
    return {
      status: typeof data.status === 'string' ? data.status : 'unknown',
      binaryDataBase64: strings(data.binary_data_base64),
      imageUrls: strings(data.image_urls),
      videoUrl: typeof data.video_url === 'string' ? data.video_url : null,
      data,
    };
  }

  /**
   * Submit, then poll until done: the first poll lands near the typical duration of this req_key,
   * then polls tighten and back off. Output-audit failures and expired tasks are resubmitted
   * (bounded); input-audit and auth errors are thrown at once. The whole run is bounded by taskMs.
   */
  async run(reqKey: string, body: Record<string, unknown>, opts: RunOptions = {}): Promise<RunOutcome> {
    const dl = deadline(this.cfg.timeouts.taskMs, opts.signal);
    const started = Date.now();
    let submits = 0;
    let retries = 0;
    const onRetry = () => retries++;
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          const taskId = await this.submit(reqKey, body, { signal: dl.signal, onRetry, onLostSubmit: opts.onLostSubmit });
          submits++;
          opts.onSubmitted?.(taskId);
          if (dl.signal.aborted) throw ABORTED(); // the task runs on and is billed; the caller has counted it
          const result = await this.poll(reqKey, taskId, opts.reqJson, dl.signal, onRetry);
          return { ...result, taskId, submits, retries, elapsedMs: Date.now() - started };
        } catch (e) {
          const je = this.asError(e, dl);
          if (je.kind === 'resubmit' && attempt < this.cfg.retries.resubmit) {
            retries++;
            log.info('resubmit', { reqKey, code: je.code, attempt });
            continue;
          }
          throw je;
        }
      }
    } finally {
      dl.dispose();
    }
  }

  /** Downloads a result URL (images come back as URLs when return_url is set). */
  async download(url: string, signal?: AbortSignal): Promise<Buffer> {
    const u = new URL(url);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new JimengError('invalid', 'BAD_URL', 'result URL is not http(s)');
    const dl = deadline(this.cfg.timeouts.callMs, signal);
    try {
      const res = await request(u, { method: 'GET', signal: dl.signal, dispatcher: this.dispatcher });
      const buf = Buffer.from(await res.body.arrayBuffer());
      if (res.statusCode !== 200) throw new JimengError(res.statusCode >= 500 ? 'server' : 'invalid', `HTTP_${res.statusCode}`, 'result download failed', res.statusCode);
      return buf;
    } catch (e) {
      throw this.asError(e, dl);
    } finally {
      dl.dispose();
    }
  }

  /** Typical task time learned so far (ms), for the UI's progress estimate. */
  typicalDurationMs(reqKey: string): number | null {
    return this.typicalMs.get(reqKey) ?? null;
  }

  private learn(reqKey: string, ms: number): void {
    const prev = this.typicalMs.get(reqKey);
    this.typicalMs.set(reqKey, prev === undefined ? ms : prev * 0.7 + ms * 0.3);
  }

  private async poll(
    reqKey: string,
    taskId: string,
    reqJson: Record<string, unknown> | undefined,
    signal: AbortSignal,
    onRetry: () => void,
  ): Promise<TaskResult> {
    const { initialMs, minMs, maxMs } = this.cfg.polling;
    const typical = this.typicalMs.get(reqKey);
    // With a learned duration: sleep through most of it, then poll tightly (minMs, growing). Without:
    // start at initialMs and keep each wait a quarter of the time already spent, so the result is
    // seen at most ~25 % late while a 10-s task still costs only a dozen polls.
    let wait = typical !== undefined ? Math.max(minMs, typical * 0.9) : initialMs;
    let step = minMs;
    const submittedAt = Date.now();
    let lastPending = 0; // ms after submit when the task was last seen unfinished
    for (;;) {
      await sleep(Math.min(wait, maxMs * 4), signal);
      const asked = Date.now() - submittedAt;
      const r = await this.getResult(reqKey, taskId, { reqJson, signal, onRetry });
      if (r.status === 'done') {
        // The task finished between the last "not yet" and this poll: learn the middle, not the
        // poll time, or every overshoot would push the next first poll later still.
        this.learn(reqKey, lastPending > 0 ? (lastPending + asked) / 2 : asked);
        if (r.binaryDataBase64.length === 0 && r.imageUrls.length === 0 && !r.videoUrl) {
          throw new JimengError('resubmit', 'EMPTY_RESULT', 'task done without output');
        }
        return r;
      }
      if (r.status === 'expired' || r.status === 'not_found') {
        throw new JimengError('resubmit', r.status.toUpperCase(), `task ${r.status}`);
      }
      if (r.status === 'fail' || r.status === 'failed') throw new JimengError('resubmit', 'TASK_FAILED', 'task failed');
      lastPending = asked;
      if (typical !== undefined) {
        step = Math.min(maxMs, step * 1.5);
        wait = step;
      } else {
        wait = Math.min(maxMs, Math.max(minMs, asked * 0.25));
      }
    }
  }

  /** Retries throttling with exponential back-off and 5xx/transport errors a bounded number of times. */
  private async withRetries<T>(fn: () => Promise<T>, signal?: AbortSignal, onRetry?: () => void): Promise<T> {
    let throttled = 0;
    let server = 0;
    for (;;) {
      try {
        return await fn();
      } catch (e) {
        if (!(e instanceof JimengError)) throw e;
        if (signal?.aborted) throw e.kind === 'aborted' ? e : ABORTED();
        const base = this.cfg.retries.backoffMs;
        if (e.kind === 'throttled' && throttled < this.cfg.retries.throttle) {
          const ms = Math.min(8_000, base * 2 ** throttled) * (0.75 + Math.random() * 0.5);
          throttled++;
          onRetry?.();
          log.info('throttled', { code: e.code, retryInMs: Math.round(ms) });
          await sleep(ms, signal);
          continue;
        }
        if (e.kind === 'server' && server < this.cfg.retries.server) {
          server++;
          onRetry?.();
          log.warn('server-error-retry', { code: e.code, attempt: server });
          await sleep(base * server, signal);
          continue;
        }
        throw e;
      }
    }
  }

  private asError(e: unknown, dl: { timedOut: () => boolean }): JimengError {
    if (dl.timedOut()) return new JimengError('server', 'TASK_TIMEOUT', `no result within ${this.cfg.timeouts.taskMs} ms`);
    if (e instanceof JimengError) return e;
    return new JimengError('server', (e as { code?: string }).code ?? 'NETWORK', (e as Error).message ?? String(e));
  }
}
