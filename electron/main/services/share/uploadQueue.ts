// Uploads that must happen eventually, whatever the mall's network does: results and originals go
// to object storage in the background (the print never waits for them), are retried with
// exponential back-off, and survive restarts.
//
// Persistence: one JSON file (`stateFile`), rewritten atomically (writeFileAtomic) on every change.
// A task found 'uploading' at start-up was interrupted: it is simply uploaded again (object PUTs are
// idempotent: same key, same bytes).
import { readFileSync, statSync } from 'node:fs';
import { writeFileAtomic } from '../../infra/files';
import { logger } from '../../infra/log';

const log = logger('share.upload');

export interface UploadTask {
  /** Idempotency key and the caller's object key (e.g. "<order>/photo.jpg"). */
  key: string;
  filePath: string;
  contentType: string;
  /** Which store call to use: results (phone download) or originals (AI input). */
  kind: 'result' | 'original';
  /** Lower runs first (e.g. 0 for the download page, 1 for the photo, 2 for the living photo). */
  priority?: number;
}

export type UploadState = 'pending' | 'uploading' | 'done' | 'failed';

export interface UploadRecord extends Required<UploadTask> {
  state: UploadState;
  attempts: number;
  nextAt: number;
  createdAt: number;
  doneAt: number | null;
  lastError: string | null;
}

/** Performs one upload; throws on failure. An error with `retryable === false` fails the task for good. */
export type UploadFn = (task: UploadTask) => Promise<void>;

export interface UploadQueueOptions {
  stateFile: string;
  upload: UploadFn;
  /** Uploads in flight at once (the kiosk's uplink is small: 1–2). */
  concurrency?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Stop retrying after this long (default 30 days: the result is deleted then anyway). */
  giveUpAfterMs?: number;
  onChange?: (rec: UploadRecord) => void;
  /** An upload finished for a key forget() dropped meanwhile: the caller deletes the object again. */
  onForgottenDone?: (task: UploadTask) => void;
  /** Every attempt's outcome (the fleet's upload success rate); never throws into the queue. */
  onAttempt?: (task: UploadTask, ok: boolean, code: string | null) => void;
  now?: () => number;
  /** 0..1 random source for jitter (tests pass a constant). */
  random?: () => number;
}

export interface UploadQueue {
  /** Adds a task (idempotent by key: a known key is not uploaded twice). Starts work if started. */
  enqueue(task: UploadTask): UploadRecord;
  get(key: string): UploadRecord | null;
  /** Resolves when the key is done or failed, or after timeoutMs with its current state. */
  waitFor(key: string, timeoutMs: number): Promise<UploadState | null>;
  /** Drops tasks (e.g. retention deleted the order before its upload ran). */
  forget(keys: string[]): void;
  /** The network is back (or staff pressed retry): try every pending task now. */
  retryNow(): void;
  /** The keys of every task the queue holds (any state). */
  keys(): string[];
  /** Counts for the admin health screen. */
  stats(): { pending: number; uploading: number; done: number; failed: number; oldestPendingAt: number | null };
  start(): void;
  /** Stops scheduling; uploads in flight finish. Resolves when they have. */
  stop(): Promise<void>;
}

const DONE_KEEP_MS = 35 * 86_400_000;

export function createUploadQueue(opts: UploadQueueOptions): UploadQueue {
  const now = opts.now ?? Date.now;
  const random = opts.random ?? Math.random;
  const concurrency = Math.max(1, opts.concurrency ?? 1);
  const baseDelay = opts.baseDelayMs ?? 2000;
  const maxDelay = opts.maxDelayMs ?? 5 * 60_000;
  const giveUpAfter = opts.giveUpAfterMs ?? 30 * 86_400_000;

  const records = new Map<string, UploadRecord>();
  try {
    const raw = JSON.parse(readFileSync(opts.stateFile, 'utf8')) as { tasks?: UploadRecord[] };
    for (const r of raw.tasks ?? []) {
      if (!r || typeof r.key !== 'string' || typeof r.filePath !== 'string') continue;
      // Interrupted mid-upload by a crash or power cut: upload again.
      records.set(r.key, r.state === 'uploading' ? { ...r, state: 'pending', nextAt: 0 } : r);
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') log.error('state.unreadable', { file: opts.stateFile, error: e });
  }

  let running = false;
  let inFlight = 0;
  let timer: NodeJS.Timeout | null = null;
  const idle: Array<() => void> = [];
  const waiters = new Map<string, Array<(s: UploadState | null) => void>>();

  function persist(): void {
    const cutoff = now() - DONE_KEEP_MS;
    for (const [k, r] of records) if ((r.state === 'done' || r.state === 'failed') && (r.doneAt ?? r.createdAt) < cutoff) records.delete(k);
    writeFileAtomic(opts.stateFile, JSON.stringify({ version: 1, tasks: [...records.values()] }));
  }

  function attempted(r: UploadRecord, ok: boolean, code: string | null): void {
    try {
      opts.onAttempt?.({ key: r.key, filePath: r.filePath, contentType: r.contentType, kind: r.kind, priority: r.priority }, ok, code);
    } catch (e) {
      log.error('on_attempt.failed', { error: e });
    }
  }

  function changed(r: UploadRecord): void {
    records.set(r.key, r);
    persist();
    try {
      opts.onChange?.(r);
    } catch (e) {
      log.error('on_change.failed', { error: e });
    }
    if (r.state === 'done' || r.state === 'failed') {
      for (const w of waiters.get(r.key) ?? []) w(r.state);
      waiters.delete(r.key);
    }
  }

  function schedule(): void {
    if (timer) clearTimeout(timer);
    timer = null;
    if (!running) return;
    const t = now();
    const pending = [...records.values()].filter((r) => r.state === 'pending');
    const due = pending.filter((r) => r.nextAt <= t).sort((a, b) => a.priority - b.priority || a.createdAt - b.createdAt);
    while (inFlight < concurrency && due.length) void runOne(due.shift()!);
    if (inFlight < concurrency && pending.length && !due.length) {
      const next = Math.min(...pending.map((r) => r.nextAt));
      timer = setTimeout(schedule, Math.max(10, next - t));
    }
  }

  async function runOne(r0: UploadRecord): Promise<void> {
    inFlight++;
    let r: UploadRecord = { ...r0, state: 'uploading', attempts: r0.attempts + 1 };
    changed(r);
    try {
      // A file that is gone (retention ran, disk trouble) can never be uploaded.
      statSync(r.filePath);
      await opts.upload({ key: r.key, filePath: r.filePath, contentType: r.contentType, kind: r.kind, priority: r.priority });
      r = { ...r, state: 'done', doneAt: now(), lastError: null };
      attempted(r, true, null);
      log.info('upload.done', { key: r.key, kind: r.kind, attempts: r.attempts });
      const wasFailing = r0.attempts > 0;
      if (records.has(r.key)) changed(r);
      else opts.onForgottenDone?.({ key: r.key, filePath: r.filePath, contentType: r.contentType, kind: r.kind, priority: r.priority });
      // The network works again: stop waiting out back-offs of the others.
      if (wasFailing) for (const p of records.values()) if (p.state === 'pending') records.set(p.key, { ...p, nextAt: 0 });
    } catch (e) {
      const err = e as { message?: string; code?: string; retryable?: boolean };
      const message = String(err.message ?? e).slice(0, 300);
      attempted(r, false, typeof err.code === 'string' ? err.code : 'ERROR');
      const permanent = err.retryable === false || err.code === 'ENOENT' || now() - r.createdAt > giveUpAfter;
      if (permanent) {
        r = { ...r, state: 'failed', doneAt: now(), lastError: message };
        log.error('upload.failed', { key: r.key, kind: r.kind, attempts: r.attempts, error: message });
      } else {
        const delay = Math.min(maxDelay, baseDelay * 2 ** Math.min(20, r.attempts - 1)) * (0.75 + 0.5 * random());
        r = { ...r, state: 'pending', nextAt: now() + delay, lastError: message };
        log.warn('upload.retry', { key: r.key, attempts: r.attempts, inMs: Math.round(delay), error: message });
      }
      if (records.has(r.key)) changed(r);
    } finally {
      inFlight--;
      if (inFlight === 0) while (idle.length) idle.shift()!();
      schedule();
    }
  }

  return {
    enqueue(task) {
      const known = records.get(task.key);
      if (known && known.state !== 'failed') return known;
      const r: UploadRecord = {
        key: task.key,
        filePath: task.filePath,
        contentType: task.contentType,
        kind: task.kind,
        priority: task.priority ?? 1,
        state: 'pending',
        attempts: 0,
        nextAt: 0,
        createdAt: now(),
        doneAt: null,
        lastError: null,
      };
      changed(r);
      schedule();
      return r;
    },
    get: (key) => records.get(key) ?? null,
    waitFor(key, timeoutMs) {
      const r = records.get(key);
      if (!r) return Promise.resolve(null);
      if (r.state === 'done' || r.state === 'failed') return Promise.resolve(r.state);
      return new Promise((resolve) => {
        const t = setTimeout(() => {
          const list = waiters.get(key) ?? [];
          waiters.set(key, list.filter((w) => w !== done));
          resolve(records.get(key)?.state ?? null);
        }, timeoutMs);
        const done = (s: UploadState | null): void => {
          clearTimeout(t);
          resolve(s);
        };
        waiters.set(key, [...(waiters.get(key) ?? []), done]);
      });
    },
    forget(keys) {
      for (const k of keys) {
        records.delete(k);
        for (const w of waiters.get(k) ?? []) w(null);
        waiters.delete(k);
      }
      persist();
    },
    retryNow() {
      for (const r of records.values()) if (r.state === 'pending') records.set(r.key, { ...r, nextAt: 0 });
      schedule();
    },
    keys: () => [...records.keys()],
    stats() {
      const s = { pending: 0, uploading: 0, done: 0, failed: 0, oldestPendingAt: null as number | null };
      for (const r of records.values()) {
        s[r.state]++;
        if (r.state === 'pending' && (s.oldestPendingAt === null || r.createdAt < s.oldestPendingAt)) s.oldestPendingAt = r.createdAt;
      }
      return s;
    },
    start() {
      running = true;
      schedule();
    },
    stop() {
      running = false;
      if (timer) clearTimeout(timer);
      timer = null;
      return inFlight === 0 ? Promise.resolve() : new Promise((r) => idle.push(r));
    },
  };
}

/** Wires the queue to the OSS share: results via put(), originals via putOriginal(). */
export function ossUploadFn(share: {
  put(key: string, filePath: string, contentType: string): Promise<void>;
  putOriginal(key: string, filePath: string, contentType: string): Promise<void>;
}): UploadFn {
  return (t) => (t.kind === 'original' ? share.putOriginal(t.key, t.filePath, t.contentType) : share.put(t.key, t.filePath, t.contentType));
}
