// CUPS on Linux: submit with `lp` (job title = our jobKey, so a job can be found again after a crash),
// read printer and job state over IPP from the local scheduler, and re-enable a queue that paused
// itself (the most common booth failure: paper or ribbon ran out, staff refilled, queue stays stopped).
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { logger } from '../../infra/log';
import { IPP_OP, IPP_STATUS_NOT_FOUND, JOB_STATE, PRINTER_STATE, ippCall, type IppEndpoint, type IppGroup } from './ipp';
import type { Printer, PrinterStatus, PrintJobState, PrintSubmit } from './types';

const log = logger('print.cups');

export const CUPS_QUEUE_NAME = /^[A-Za-z0-9_.-]{1,127}$/;

export interface CupsPrinterOptions {
  queue: string;
  /** Run cupsenable/cupsaccept when the queue is found stopped (at most once per `reenableEverySec`). */
  autoReenable: boolean;
  reenableEverySec?: number;
  /** The scheduler's HTTP address; default http://localhost:631. */
  ippUrl?: string;
  /** `-o media=` value for a page size in inches; default "Custom.<w>x<h>in" (CUPS matches it to the driver's sizes). */
  media?: (m: { widthIn: number; heightIn: number }) => string;
  /** Extra `-o name=value` job options (e.g. a dye-sub driver's StpLaminate=Glossy). */
  jobOptions?: Record<string, string>;
  /** Per-command timeout. */
  timeoutMs?: number;
}

/** Runs a CUPS command with the C locale (stable messages) and a timeout; never through a shell. */
function run(cmd: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: timeoutMs, env: { ...process.env, LANG: 'C', LC_ALL: 'C' }, maxBuffer: 1024 * 1024 }, (e, stdout, stderr) => {
      if (e) reject(new Error(`${cmd} failed: ${(stderr || e.message).toString().trim().slice(0, 300)}`));
      else resolve(stdout.toString());
    });
  });
}

/** Finds sbin tools (cupsenable, cupsaccept) that are often outside a desktop user's PATH. */
function sbin(cmd: string): string {
  const dirs = (process.env.PATH ?? '').split(':');
  return dirs.includes('/usr/sbin') ? cmd : `/usr/sbin/${cmd}`;
}

/**
 * What the kiosk should conclude from a queue's IPP state. Order matters: a physical problem (paper,
 * ribbon, jam) is what staff must fix, so it wins over the "paused" it usually causes.
 */
export function classifyPrinter(a: { state: number | null; reasons: string[]; accepting: boolean | null; message?: string }): PrinterStatus {
  const reasons = a.reasons.filter((r) => r && r !== 'none');
  const has = (prefix: string): boolean => reasons.some((r) => r === prefix || r === `${prefix}-error` || r === `${prefix}-warning` || r === `${prefix}-report`);
  const hard = (prefix: string): boolean => reasons.some((r) => r === prefix || r === `${prefix}-error`);
  const detail = [reasons.length ? `reasons=${reasons.join(',')}` : '', a.message ? `message=${a.message}` : ''].filter(Boolean).join(' ') || 'ok';
  if (hard('media-empty') || hard('media-needed') || hard('input-tray-missing')) return { ready: false, code: 'NO_PAPER', detail };
  if (hard('marker-supply-empty') || hard('toner-empty') || hard('marker-waste-full')) return { ready: false, code: 'NO_RIBBON', detail };
  if (hard('media-jam')) return { ready: false, code: 'PAPER_JAM', detail };
  if (hard('door-open') || hard('cover-open')) return { ready: false, code: 'DOOR_OPEN', detail };
  if (has('offline') || has('shutdown') || (has('connecting-to-device') && a.state === PRINTER_STATE_STOPPED)) {
    return { ready: false, code: 'OFFLINE', detail };
  }
  if (a.state === PRINTER_STATE_STOPPED || reasons.includes('paused')) return { ready: false, code: 'PAUSED', detail };
  if (a.accepting === false) return { ready: false, code: 'NOT_ACCEPTING', detail };
  if (reasons.some((r) => r.endsWith('-error'))) return { ready: false, code: 'ERROR', detail };
  return { ready: true, code: 'READY', detail };
}
const PRINTER_STATE_STOPPED = 5;

function userName(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'kiosk';
  }
}

function first<T>(g: IppGroup | undefined, name: string): T | null {
  const v = g?.attrs[name]?.[0];
  return v === undefined ? null : (v as T);
}

export function createCupsPrinter(opts: CupsPrinterOptions): Printer {
  if (!CUPS_QUEUE_NAME.test(opts.queue)) throw new Error(`invalid CUPS queue name: ${opts.queue}`);
  const queue = opts.queue;
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const ep: IppEndpoint = { baseUrl: opts.ippUrl ?? 'http://localhost:631', timeoutMs };
  const path = `/printers/${queue}`;
  const printerUri = `ipp://localhost/printers/${queue}`;
  const mediaOf = opts.media ?? ((m) => `Custom.${m.widthIn}x${m.heightIn}in`);
  let lastReenable = 0;

  /** Printer status plus whether the queue itself is stopped or refusing jobs (what cupsenable/cupsaccept fix). */
  async function readPrinter(): Promise<PrinterStatus & { queueStopped: boolean }> {
    let res;
    try {
      res = await ippCall(ep, path, IPP_OP.getPrinterAttributes, [
        { tag: 'uri', name: 'printer-uri', values: [printerUri] },
        { tag: 'keyword', name: 'requested-attributes', values: ['printer-state', 'printer-state-reasons', 'printer-is-accepting-jobs', 'printer-state-message'] },
      ]);
    } catch (e) {
      return { ready: false, code: 'OFFLINE', detail: `CUPS scheduler not reachable: ${(e as Error).message}`, queueStopped: false };
    }
    if (res.statusCode === IPP_STATUS_NOT_FOUND) return { ready: false, code: 'NOT_FOUND', detail: `no CUPS queue named ${queue}`, queueStopped: false };
    if (res.statusCode >= 0x0400) return { ready: false, code: 'ERROR', detail: `IPP status 0x${res.statusCode.toString(16)}`, queueStopped: false };
    const g = res.groups.find((x) => x.tag === 0x04);
    const state = first<number>(g, 'printer-state');
    const accepting = first<boolean>(g, 'printer-is-accepting-jobs');
    const status = classifyPrinter({
      state,
      reasons: (g?.attrs['printer-state-reasons'] ?? []).map(String),
      accepting,
      message: first<string>(g, 'printer-state-message') ?? undefined,
    });
    return {
      ...status,
      detail: `${queue} ${PRINTER_STATE[state as 3 | 4 | 5] ?? 'unknown'}; ${status.detail}`,
      queueStopped: state === PRINTER_STATE_STOPPED || accepting === false,
    };
  }

  async function findJobId(jobKey: string): Promise<string | null> {
    const res = await ippCall(ep, path, IPP_OP.getJobs, [
      { tag: 'uri', name: 'printer-uri', values: [printerUri] },
      { tag: 'keyword', name: 'which-jobs', values: ['all'] },
      // CUPS hides job-name from anyone but the job's owner (JobPrivateValues); lp ran as this user.
      { tag: 'name', name: 'requesting-user-name', values: [userName()] },
      { tag: 'keyword', name: 'requested-attributes', values: ['job-id', 'job-name', 'job-state'] },
    ]);
    if (res.statusCode >= 0x0400) throw new Error(`IPP Get-Jobs status 0x${res.statusCode.toString(16)}`);
    let best: number | null = null;
    for (const g of res.groups) {
      if (g.tag !== 0x02 || first<string>(g, 'job-name') !== jobKey) continue;
      const id = first<number>(g, 'job-id');
      if (id !== null && (best === null || id > best)) best = id;
    }
    return best === null ? null : `${queue}-${best}`;
  }

  return {
    name: 'cups',
    async status(): Promise<PrinterStatus> {
      const { queueStopped, ...s } = await readPrinter();
      const due = Date.now() - lastReenable >= (opts.reenableEverySec ?? 30) * 1000;
      if (!queueStopped || !opts.autoReenable || !due) return s;
      // Re-enable even when the cause was paper/ribbon: after a refill nothing else would restart the
      // queue, and if the printer is still empty CUPS stops it again (hence the back-off).
      lastReenable = Date.now();
      try {
        await run(sbin('cupsenable'), [queue], timeoutMs);
        await run(sbin('cupsaccept'), [queue], timeoutMs);
        log.warn('queue.reenabled', { queue, was: s.code, detail: s.detail });
      } catch (e) {
        log.error('queue.reenable_failed', { queue, error: e });
        return s;
      }
      const { queueStopped: _still, ...after } = await readPrinter();
      return after;
    },

    async submit(job: PrintSubmit): Promise<{ systemJobId: string }> {
      // Idempotent by jobKey: the title is the key, and CUPS keeps finished jobs in its history.
      const existing = await findJobId(job.jobKey);
      if (existing) return { systemJobId: existing };
      await stat(job.pdfPath);
      const copies = Math.max(1, Math.min(99, Math.floor(job.copies)));
      const args = ['-d', queue, '-t', job.jobKey, '-n', String(copies), '-o', `media=${mediaOf(job.media)}`];
      for (const [k, v] of Object.entries(opts.jobOptions ?? {})) args.push('-o', `${k}=${v}`);
      args.push('--', job.pdfPath);
      const out = await run('lp', args, timeoutMs);
      const m = /request id is (\S+)-(\d+)/.exec(out);
      if (!m) throw new Error(`lp gave no job id: ${out.trim().slice(0, 200)}`);
      const systemJobId = `${queue}-${m[2]}`;
      log.info('job.submitted', { queue, systemJobId, copies });
      return { systemJobId };
    },

    async jobState(systemJobId: string): Promise<PrintJobState> {
      const m = /-(\d+)$/.exec(systemJobId);
      if (!m) return 'aborted';
      const res = await ippCall(ep, path, IPP_OP.getJobAttributes, [
        { tag: 'uri', name: 'printer-uri', values: [printerUri] },
        { tag: 'integer', name: 'job-id', values: [Number(m[1])] },
        { tag: 'keyword', name: 'requested-attributes', values: ['job-state', 'job-state-reasons'] },
      ]);
      if (res.statusCode === IPP_STATUS_NOT_FOUND) return 'aborted';
      if (res.statusCode >= 0x0400) throw new Error(`IPP Get-Job-Attributes status 0x${res.statusCode.toString(16)}`);
      const state = first<number>(res.groups.find((g) => g.tag === 0x02), 'job-state');
      switch (JOB_STATE[state as keyof typeof JOB_STATE]) {
        case 'pending':
        case 'pending-held':
          return 'pending';
        case 'processing':
          return 'processing';
        case 'processing-stopped':
          return 'stopped';
        case 'canceled':
          return 'canceled';
        case 'completed':
          return 'completed';
        default:
          return 'aborted';
      }
    },

    async findJob(jobKey: string): Promise<{ systemJobId: string } | null> {
      const id = await findJobId(jobKey);
      return id ? { systemJobId: id } : null;
    },

    cancel: (systemJobId: string) => cancelCupsJob(systemJobId, timeoutMs),
  };
}

/** Cancels a job (admin "cancel print"); harmless when it already finished. */
export async function cancelCupsJob(systemJobId: string, timeoutMs = 15_000): Promise<void> {
  await run('cancel', [systemJobId], timeoutMs).catch((e: Error) => {
    if (!/already|not found|does not exist/i.test(e.message)) throw e;
  });
}
