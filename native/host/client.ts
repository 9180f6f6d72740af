// The main-process side of the native worker: sends sequence-tagged requests, matches replies,
// times out a request (the caller gets a typed error, the UI never waits forever), and replaces
// a worker that died or hung. Modelled on a pending-map client: one map of seq → waiter.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  HOST_ERRORS,
  isReadyMessage,
  isResponseMessage,
  type ErrorData,
  type QuitMessage,
  type RequestKind,
  type RequestMessage,
  type Requests,
} from '../protocol';
import type { WorkerConfig } from './worker';

export type HostResult<T> = { ok: true; value: T } | { ok: false; error: ErrorData };

export interface NativeHostOptions extends WorkerConfig {
  /** Worker entry; default: the .ts source beside this file, or dist/native/worker.cjs from a bundle. */
  workerPath?: string;
  /** Default time limit per request, ms. */
  timeoutMs?: number;
  /** Name in log lines ("stills", "live"). */
  name?: string;
  /** Structured log sink (English events, no image data). */
  log?: (level: 'info' | 'warn' | 'error', event: string, fields: Record<string, unknown>) => void;
  /** Restarts allowed per minute before the host gives up until the next call. */
  maxRestartsPerMinute?: number;
  /** How long a retired worker may finish its current request before it is terminated, ms. */
  retireMs?: number;
}

const RETIRE_MS = 30_000;

interface Pending {
  resolve: (r: HostResult<unknown>) => void;
  timer: NodeJS.Timeout;
  kind: RequestKind;
  started: number;
}

function selfFile(): string {
  // CJS bundles have __filename; ESM sources (tsx, vitest) have import.meta.url.
  if (typeof __filename === 'string' && __filename) return __filename;
  return fileURLToPath(import.meta.url);
}

/**
 * Where the worker lives. From sources: worker.ts beside this file (run through tsx). From an
 * esbuild bundle: scripts/build-main.mjs writes dist/native/worker.cjs, so look for it beside the
 * bundle and in the usual dist/ neighbours.
 */
export function defaultWorkerPath(from: string = selfFile()): string {
  const dir = dirname(from);
  if (from.endsWith('.ts')) return join(dir, 'worker.ts');
  const candidates = [
    join(dir, 'worker.cjs'),
    join(dir, 'native', 'worker.cjs'),
    join(dir, '..', 'native', 'worker.cjs'),
    join(dir, '..', '..', 'native', 'worker.cjs'),
    join(dir, '..', '..', '..', 'dist', 'native', 'worker.cjs'),
  ];
  return candidates.find((c) => existsSync(c)) ?? candidates[0]!;
}

/**
 * From sources the worker is TypeScript. `--import tsx` in a worker's execArgv is not honoured by
 * Node 20, so a two-line CommonJS bootstrap registers tsx's require hook in the worker itself.
 */
function workerEntry(path: string): [string, { eval?: boolean }] {
  if (!path.endsWith('.ts')) return [path, {}];
  const tsx = createRequire(selfFile()).resolve('tsx/cjs/api');
  return [`require(${JSON.stringify(tsx)}).register();\nrequire(${JSON.stringify(path)});`, { eval: true }];
}

export class NativeHost {
  readonly #opts: NativeHostOptions;
  readonly #path: string;
  readonly #pending = new Map<number, Pending>();
  #worker: Worker | null = null;
  #seq = 0;
  #closed = false;
  #modelError: ErrorData | null = null;
  #restarts: number[] = [];
  #readyWaiters: Array<() => void> = [];
  #ready = false;

  constructor(opts: NativeHostOptions) {
    this.#opts = opts;
    this.#path = opts.workerPath ?? process.env.KIOSK_NATIVE_WORKER ?? defaultWorkerPath();
    this.#start();
  }

  /** Resolves once the model is loaded (or failed to load); for warm-up and tests. */
  ready(): Promise<void> {
    if (this.#ready || this.#modelError || this.#closed) return Promise.resolve();
    // Restarts throttled: no worker will come; the next call answers CHECKER_RESTARTED.
    if (!this.#worker && !this.#start()) return Promise.resolve();
    this.#worker?.ref();
    return new Promise((r) => this.#readyWaiters.push(r));
  }

  get modelError(): ErrorData | null {
    return this.#modelError;
  }

  call<K extends RequestKind>(
    kind: K,
    args: Requests[K]['args'],
    opts: { timeoutMs?: number; transfer?: ArrayBuffer[] } = {},
  ): Promise<HostResult<Requests[K]['result']>> {
    if (this.#closed) return Promise.resolve({ ok: false, error: HOST_ERRORS.CLOSED });
    if (this.#modelError) return Promise.resolve({ ok: false, error: this.#modelError });
    const worker = this.#worker ?? this.#start();
    if (!worker) return Promise.resolve({ ok: false, error: HOST_ERRORS.CRASHED });
    const seq = ++this.#seq;
    const timeoutMs = opts.timeoutMs ?? this.#opts.timeoutMs ?? 10_000;
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.#timeout(seq, timeoutMs), timeoutMs);
      timer.unref?.();
      this.#pending.set(seq, { resolve: resolve as Pending['resolve'], timer, kind, started: performance.now() });
      worker.ref(); // keep a CLI or test process alive while a reply is due
      try {
        worker.postMessage({ seq, kind, args } satisfies RequestMessage<K>, opts.transfer ?? []);
      } catch (e) {
        this.#settle(seq, { ok: false, error: { code: 'INVALID_REQUEST', message: '请求无效', retryable: false, detail: String(e) } });
      }
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const seq of [...this.#pending.keys()]) this.#settle(seq, { ok: false, error: HOST_ERRORS.CLOSED });
    const w = this.#worker;
    this.#worker = null;
    this.#readyWaiters.splice(0).forEach((r) => r());
    if (w) await this.#retire(w, { keepAlive: true });
  }

  /**
   * Lets a worker go without killing the process. Terminating a worker thread while onnxruntime-node
   * runs an inference aborts the whole process ("terminate called after throwing an instance of
   * 'Napi::Error'"), so the worker is asked to exit once its current request is done, and terminated
   * only if it is still there after `retireMs` (a decode that truly hangs).
   */
  #retire(w: Worker, o: { keepAlive?: boolean } = {}): Promise<void> {
    const exited = new Promise<void>((r) => w.once('exit', () => r()));
    try {
      w.postMessage({ quit: true } satisfies QuitMessage);
    } catch {
      void w.terminate();
    }
    const t = setTimeout(() => {
      this.#log('warn', 'worker_terminated', { afterMs: this.#opts.retireMs ?? RETIRE_MS });
      void w.terminate();
    }, this.#opts.retireMs ?? RETIRE_MS);
    // A retiring worker keeps a CLI alive only when someone waits for it (close()).
    if (!o.keepAlive) {
      t.unref?.();
      w.unref();
    }
    return exited.then(() => clearTimeout(t));
  }

  #log(level: 'info' | 'warn' | 'error', event: string, fields: Record<string, unknown> = {}): void {
    this.#opts.log?.(level, event, { host: this.#opts.name ?? 'native', ...fields });
  }

  #start(): Worker | null {
    if (this.#closed) return null;
    const now = Date.now();
    this.#restarts = this.#restarts.filter((t) => now - t < 60_000);
    if (this.#restarts.length >= (this.#opts.maxRestartsPerMinute ?? 10)) {
      this.#log('error', 'worker_restart_throttled', { restarts: this.#restarts.length });
      return null;
    }
    this.#restarts.push(now);
    const { workerPath: _w, timeoutMs: _t, name: _n, log: _l, maxRestartsPerMinute: _m, retireMs: _r, ...config } = this.#opts;
    const [entry, how] = workerEntry(this.#path);
    const worker = new Worker(entry, {
      ...how,
      workerData: config satisfies WorkerConfig,
      // A decompression bomb that slips past the header checks dies here, not in the app.
      resourceLimits: { maxOldGenerationSizeMb: 512 },
      stderr: false,
    });
    this.#ready = false;
    worker.on('message', (m: unknown) => {
      if (isReadyMessage(m)) {
        if (m.ready) {
          this.#ready = true;
          // Still correct without it, only slower: big JPEGs are then decoded at full size.
          if (m.scaledLoads && m.scaledLoads !== 'on') this.#log('warn', 'scaled_jpeg_decode_off', { reason: m.scaledLoads });
        } else {
          this.#modelError = m.error;
          this.#log('error', 'model_unavailable', { detail: m.error.detail });
          for (const seq of [...this.#pending.keys()]) this.#settle(seq, { ok: false, error: m.error });
        }
        this.#readyWaiters.splice(0).forEach((r) => r());
        this.#refIfBusy();
        return;
      }
      if (isResponseMessage(m)) this.#settle(m.seq, m.ok ? { ok: true, value: m.value } : { ok: false, error: m.error });
    });
    worker.on('error', (e) => this.#log('error', 'worker_error', { message: e.message }));
    worker.on('exit', (code) => {
      if (this.#worker !== worker) return;
      this.#worker = null;
      const wasReady = this.#ready;
      this.#ready = false;
      this.#readyWaiters.splice(0).forEach((r) => r());
      if (this.#closed) return;
      this.#log('warn', 'worker_exit', { code, pending: this.#pending.size, wasReady });
      for (const seq of [...this.#pending.keys()]) this.#settle(seq, { ok: false, error: HOST_ERRORS.CRASHED });
      // Restart at once so the next customer does not wait for the model to load; a worker that
      // could not even start is restarted only by the next call, so a broken install cannot spin.
      if (!this.#modelError && wasReady) this.#start();
    });
    this.#worker = worker;
    this.#refIfBusy();
    return worker;
  }

  #settle(seq: number, r: HostResult<unknown>): void {
    const p = this.#pending.get(seq);
    if (!p) return; // already timed out: the late reply is dropped
    this.#pending.delete(seq);
    clearTimeout(p.timer);
    if (!r.ok && r.error.detail) this.#log('warn', 'request_failed', { kind: p.kind, code: r.error.code, detail: r.error.detail });
    this.#refIfBusy();
    p.resolve(r);
  }

  /** An idle worker must not keep the process alive (the app quits cleanly without close()). */
  #refIfBusy(): void {
    const w = this.#worker;
    if (!w) return;
    if (this.#pending.size > 0 || this.#readyWaiters.length > 0) w.ref();
    else w.unref();
  }

  #timeout(seq: number, ms: number): void {
    const p = this.#pending.get(seq);
    if (!p) return;
    this.#log('warn', 'request_timeout', { kind: p.kind, ms });
    this.#settle(seq, { ok: false, error: HOST_ERRORS.TIMEOUT });
    // A stuck decode cannot be cancelled from outside: replace the worker now, so the next call
    // goes to a fresh one, and retire the old one. Others in flight get CHECKER_RESTARTED (retryable).
    const w = this.#worker;
    if (!w) return;
    this.#worker = null;
    this.#ready = false;
    for (const other of [...this.#pending.keys()]) this.#settle(other, { ok: false, error: HOST_ERRORS.CRASHED });
    void this.#retire(w);
    this.#start();
  }
}
