// The kiosk's print spooler, in front of the system one. It exists because of the three classic booth
// failures (ANCHORS.md §2): double prints (a jobKey is submitted at most once, ever), jobs piling up
// on a stalled printer (one job at a time, submitted only when the printer is ready), and silent loss
// (every job ends as completed or failed with a reason, so delivery can reprint or refund).
//
// Persistence: a JSON file (`stateFile`) written with writeFileAtomic before and after each side
// effect: jobKey → { state, systemJobId, … }. A record in 'submitting' after a crash is resolved with
// printer.findJob(jobKey) (the CUPS job title is the jobKey) before anything is submitted again.
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../../infra/files';
import { logger } from '../../infra/log';
import type { PaperCounter } from './paperCounter';
import type { Printer, PrinterStatus, PrintJobState, PrintSubmit } from './types';

const log = logger('print.queue');

export type QueueJobState = 'queued' | 'waiting_printer' | 'submitting' | 'submitted' | 'completed' | 'failed';

export interface PrintJobRecord {
  jobKey: string;
  pdfPath: string;
  copies: number;
  media: { widthIn: number; heightIn: number };
  state: QueueJobState;
  systemJobId: string | null;
  /** Last state the system spooler reported. */
  systemState: PrintJobState | null;
  error: { code: string; message: string } | null;
  createdAt: string;
  updatedAt: string;
  submittedAt: string | null;
}

/** What the delivery screen shows (same shape as the contract's PrintView). */
export interface PrintJobView {
  status: 'queued' | 'printing' | 'done' | 'failed';
  progress: number;
  copies: number;
  message?: string;
}

export interface PrintOutcome {
  jobKey: string;
  ok: boolean;
  systemJobId: string | null;
  error?: { code: string; message: string };
}

export interface PrintQueueOptions {
  printer: Printer;
  stateFile: string;
  paper?: PaperCounter;
  /** Poll interval for printer and job state. */
  pollMs?: number;
  /** Longest a job may take from submit to completed before it is settled as failed. */
  jobTimeoutMs?: number;
  /** Longest a job waits for a not-ready printer before it is settled as failed. */
  readyTimeoutMs?: number;
  /** Expected seconds per copy, for the progress bar only. */
  secondsPerCopy?: number;
  onUpdate?: (jobKey: string, view: PrintJobView) => void;
  now?: () => number;
}

export interface PrintQueue {
  /** Prints the job (queued behind any other); same jobKey → same outcome, never a second print. */
  print(job: PrintSubmit): Promise<PrintOutcome>;
  view(jobKey: string): PrintJobView | null;
  record(jobKey: string): PrintJobRecord | null;
  /** Printer status combined with the paper counter: sell a print package only when ready. */
  readiness(copies?: number): Promise<PrinterStatus>;
  /** At start-up: finish following jobs a previous run left submitted or half-submitted. */
  resume(): Promise<PrintOutcome[]>;
  readonly paper: PaperCounter | undefined;
  /** Stops polling; pending print() calls settle as failed with PRINT_QUEUE_CLOSED. */
  close(): void;
}

const MESSAGES: Record<string, string> = {
  PRINTER_NOT_READY: '打印机暂时无法使用，请联系工作人员',
  PRINT_TIMEOUT: '打印超时，请联系工作人员',
  PRINT_FAILED: '打印失败，请联系工作人员',
  PRINT_UNCERTAIN: '打印状态未知，请联系工作人员确认',
  PRINT_QUEUE_CLOSED: '打印已中断，请联系工作人员',
  NO_PAPER: '相纸已用完，请联系工作人员',
};

const TERMINAL = new Set<QueueJobState>(['completed', 'failed']);
const KEEP_DAYS = 35;

export function createPrintQueue(opts: PrintQueueOptions): PrintQueue {
  const { printer } = opts;
  const pollMs = opts.pollMs ?? 1000;
  const jobTimeoutMs = opts.jobTimeoutMs ?? 5 * 60_000;
  const readyTimeoutMs = opts.readyTimeoutMs ?? 2 * 60_000;
  const secondsPerCopy = opts.secondsPerCopy ?? 20;
  const now = opts.now ?? Date.now;
  const iso = (): string => new Date(now()).toISOString();

  let records: Record<string, PrintJobRecord> = {};
  try {
    const raw = JSON.parse(readFileSync(opts.stateFile, 'utf8')) as { jobs?: Record<string, PrintJobRecord> };
    if (raw && typeof raw.jobs === 'object' && raw.jobs) records = raw.jobs;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') log.error('state.unreadable', { file: opts.stateFile, error: e });
  }

  const inflight = new Map<string, Promise<PrintOutcome>>();
  const processingSince = new Map<string, number>();
  let chain: Promise<unknown> = Promise.resolve();
  let closed = false;
  const timers = new Set<{ t: NodeJS.Timeout; resolve: () => void }>();

  function persist(): void {
    // Forget settled jobs after the retention window so the file stays small.
    const cutoff = now() - KEEP_DAYS * 86_400_000;
    for (const [k, r] of Object.entries(records)) if (TERMINAL.has(r.state) && Date.parse(r.updatedAt) < cutoff) delete records[k];
    writeFileAtomic(opts.stateFile, JSON.stringify({ version: 1, jobs: records }, null, 1));
  }

  function update(jobKey: string, patch: Partial<PrintJobRecord>): PrintJobRecord {
    const r = { ...records[jobKey]!, ...patch, updatedAt: iso() };
    records[jobKey] = r;
    persist();
    const v = viewOf(r);
    try {
      opts.onUpdate?.(jobKey, v);
    } catch (e) {
      log.error('on_update.failed', { jobKey, error: e });
    }
    return r;
  }

  function viewOf(r: PrintJobRecord): PrintJobView {
    const base = { copies: r.copies };
    switch (r.state) {
      case 'queued':
        return { ...base, status: 'queued', progress: 0.05 };
      case 'waiting_printer':
        return { ...base, status: 'queued', progress: 0.05, message: '打印机准备中，请稍候' };
      case 'submitting':
        return { ...base, status: 'printing', progress: 0.15 };
      case 'submitted': {
        if (r.systemState !== 'processing') return { ...base, status: 'printing', progress: 0.2 };
        // A smooth curve towards 95 %: the spooler gives no real progress for photo printers.
        const t = (now() - (processingSince.get(r.jobKey) ?? now())) / 1000;
        const expected = Math.max(5, secondsPerCopy * r.copies);
        return { ...base, status: 'printing', progress: Math.min(0.95, 0.3 + 0.65 * (1 - Math.exp(-t / expected))) };
      }
      case 'completed':
        return { ...base, status: 'done', progress: 1 };
      case 'failed':
        return { ...base, status: 'failed', progress: 0, message: r.error?.message ?? MESSAGES.PRINT_FAILED };
    }
  }

  function sleep(ms: number): Promise<void> {
    if (closed) return Promise.resolve();
    return new Promise((resolve) => {
      const entry = { t: setTimeout(() => (timers.delete(entry), resolve()), ms), resolve };
      timers.add(entry);
    });
  }

  function fail(jobKey: string, code: string, detail: string): PrintOutcome {
    const message = MESSAGES[code] ?? MESSAGES.PRINT_FAILED!;
    const r = update(jobKey, { state: 'failed', error: { code, message } });
    log.error('job.failed', { jobKey, code, detail, systemJobId: r.systemJobId });
    return { jobKey, ok: false, systemJobId: r.systemJobId, error: { code, message } };
  }

  function outcomeOf(r: PrintJobRecord): PrintOutcome {
    return r.state === 'completed'
      ? { jobKey: r.jobKey, ok: true, systemJobId: r.systemJobId }
      : { jobKey: r.jobKey, ok: false, systemJobId: r.systemJobId, error: r.error ?? { code: 'PRINT_FAILED', message: MESSAGES.PRINT_FAILED! } };
  }

  async function readiness(copies = 1): Promise<PrinterStatus> {
    const s = await printer.status();
    if (!s.ready) return s;
    if (opts.paper && !opts.paper.has(copies)) {
      return { ready: false, code: 'NO_PAPER', detail: `paper counter: ${opts.paper.get().remaining} left, ${copies} needed` };
    }
    return s;
  }

  /** Waits until the printer can take the job (status() also re-enables a paused CUPS queue). */
  async function waitReady(jobKey: string, copies: number): Promise<PrinterStatus> {
    const started = now();
    let s = await readiness(copies);
    if (!s.ready) update(jobKey, { state: 'waiting_printer' });
    while (!s.ready && !closed && now() - started < readyTimeoutMs) {
      await sleep(pollMs);
      s = await readiness(copies);
    }
    return s;
  }

  /** Follows a submitted job to a final state. */
  async function follow(jobKey: string): Promise<PrintOutcome> {
    const rec = records[jobKey]!;
    const systemJobId = rec.systemJobId!;
    const submittedAt = rec.submittedAt ? Date.parse(rec.submittedAt) : now();
    let last: PrintJobState | null = rec.systemState;
    let errors = 0;
    while (!closed) {
      let state: PrintJobState;
      try {
        state = await printer.jobState(systemJobId);
        errors = 0;
      } catch (e) {
        // The scheduler may restart under us; a few failed polls are not a failed print.
        if (++errors >= 10) return fail(jobKey, 'PRINT_FAILED', `job state unavailable: ${(e as Error).message}`);
        await sleep(pollMs);
        continue;
      }
      if (state !== last) {
        if (state === 'processing') processingSince.set(jobKey, now());
        update(jobKey, { systemState: state });
        log.info('job.state', { jobKey, systemJobId, state });
        last = state;
      } else if (state === 'processing') {
        opts.onUpdate?.(jobKey, viewOf(records[jobKey]!));
      }
      if (state === 'completed') {
        if (opts.paper) opts.paper.consume(rec.copies);
        update(jobKey, { state: 'completed', error: null });
        processingSince.delete(jobKey);
        return { jobKey, ok: true, systemJobId };
      }
      if (state === 'canceled' || state === 'aborted') return fail(jobKey, 'PRINT_FAILED', `system job ${state}`);
      if (state === 'stopped' || state === 'pending') {
        // A stopped job usually means a paused queue: asking for status re-enables it if configured.
        await printer.status().catch(() => undefined);
      }
      if (now() - submittedAt > jobTimeoutMs) {
        await printer.cancel?.(systemJobId).catch((e: Error) => log.error('job.cancel_failed', { jobKey, error: e }));
        return fail(jobKey, 'PRINT_TIMEOUT', `no completion after ${Math.round((now() - submittedAt) / 1000)} s (last state ${state})`);
      }
      await sleep(pollMs);
    }
    return { jobKey, ok: false, systemJobId, error: { code: 'PRINT_QUEUE_CLOSED', message: MESSAGES.PRINT_QUEUE_CLOSED! } };
  }

  /** Drives one record from wherever it stands to a final state. Runs inside the one-at-a-time chain. */
  async function drive(jobKey: string): Promise<PrintOutcome> {
    let r = records[jobKey]!;
    if (TERMINAL.has(r.state)) return outcomeOf(r);
    if (closed) return { jobKey, ok: false, systemJobId: r.systemJobId, error: { code: 'PRINT_QUEUE_CLOSED', message: MESSAGES.PRINT_QUEUE_CLOSED! } };

    if (r.state === 'submitting') {
      // We crashed (or the call threw) between asking the spooler and recording its answer.
      const found = await printer.findJob(jobKey).catch(() => null);
      if (found) r = update(jobKey, { state: 'submitted', systemJobId: found.systemJobId });
      else if (printer.uncertainAfterRestart) return fail(jobKey, 'PRINT_UNCERTAIN', 'submit interrupted; this printer cannot tell whether it printed');
      else r = update(jobKey, { state: 'queued' });
    }

    if (r.state === 'queued' || r.state === 'waiting_printer') {
      const s = await waitReady(jobKey, r.copies);
      if (closed) return { jobKey, ok: false, systemJobId: null, error: { code: 'PRINT_QUEUE_CLOSED', message: MESSAGES.PRINT_QUEUE_CLOSED! } };
      if (!s.ready) return fail(jobKey, s.code === 'NO_PAPER' ? 'NO_PAPER' : 'PRINTER_NOT_READY', `${s.code}: ${s.detail}`);
      // Written before the side effect: if we die during submit, the next run asks findJob first.
      update(jobKey, { state: 'submitting' });
      try {
        const { systemJobId } = await printer.submit({ jobKey, pdfPath: r.pdfPath, copies: r.copies, media: r.media });
        r = update(jobKey, { state: 'submitted', systemJobId, submittedAt: iso(), systemState: 'pending' });
        log.info('job.submitted', { jobKey, systemJobId, copies: r.copies, printer: printer.name });
      } catch (e) {
        // The submit may or may not have reached the spooler: ask before declaring failure.
        const found = await printer.findJob(jobKey).catch(() => null);
        if (!found) return fail(jobKey, 'PRINT_FAILED', `submit failed: ${(e as Error).message}`);
        r = update(jobKey, { state: 'submitted', systemJobId: found.systemJobId, submittedAt: iso() });
      }
    }
    return follow(jobKey);
  }

  function enqueue(jobKey: string): Promise<PrintOutcome> {
    const existing = inflight.get(jobKey);
    if (existing) return existing;
    const p = chain.then(() => drive(jobKey)).catch((e: Error) => fail(jobKey, 'PRINT_FAILED', e.message));
    chain = p;
    inflight.set(jobKey, p);
    void p.finally(() => inflight.delete(jobKey));
    return p;
  }

  return {
    paper: opts.paper,
    print(job) {
      const existing = records[job.jobKey];
      if (existing) return TERMINAL.has(existing.state) ? Promise.resolve(outcomeOf(existing)) : enqueue(job.jobKey);
      const t = iso();
      records[job.jobKey] = {
        jobKey: job.jobKey,
        pdfPath: job.pdfPath,
        copies: Math.max(1, Math.floor(job.copies)),
        media: job.media,
        state: 'queued',
        systemJobId: null,
        systemState: null,
        error: null,
        createdAt: t,
        updatedAt: t,
        submittedAt: null,
      };
      update(job.jobKey, {});
      return enqueue(job.jobKey);
    },
    view: (jobKey) => (records[jobKey] ? viewOf(records[jobKey]) : null),
    record: (jobKey) => (records[jobKey] ? { ...records[jobKey] } : null),
    readiness,
    async resume() {
      const open = Object.values(records).filter((r) => !TERMINAL.has(r.state)).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
      if (open.length) log.info('resume', { jobs: open.length });
      return Promise.all(open.map((r) => enqueue(r.jobKey)));
    },
    close() {
      closed = true;
      for (const e of timers) {
        clearTimeout(e.t);
        e.resolve();
      }
      timers.clear();
    },
  };
}
