// Windows (and any Electron host): silent printing through Chromium's print path. The host loads the
// PDF in a hidden BrowserWindow and calls webContents.print(options); this module owns the option
// mapping (pure, unit-tested) and the job bookkeeping. It never imports 'electron': the host injects
// `printPdf`, so this code runs and is tested under plain Node.
import { stat } from 'node:fs/promises';
import { logger } from '../../infra/log';
import type { Printer, PrinterStatus, PrintJobState, PrintSubmit } from './types';

const log = logger('print.electron');

/** The subset of Electron's `WebContentsPrintOptions` the kiosk sets (a type alias, so it fits Record<string, unknown>). */
export type ElectronPrintOptions = {
  silent: true;
  printBackground: true;
  /** Omitted for the system default printer. */
  deviceName?: string;
  copies: number;
  /** Page size in microns, portrait-oriented (width ≤ height); `landscape` turns it. */
  pageSize: { width: number; height: number };
  landscape: boolean;
  margins: { marginType: 'none' };
  color: true;
  dpi?: { horizontal: number; vertical: number };
  /** 100 = no scaling: the PDF is already at the paper size. */
  scaleFactor: 100;
};

export interface ElectronPrintResult {
  success: boolean;
  failureReason?: string;
}

/**
 * Injected by the Electron host: prints the job silently (load `electronPrintPage(pdfPath).html` in a
 * hidden window, then webContents.print(options)). Resolve with the print callback's values, or with
 * nothing for success; reject for failure.
 */
export type PrintPdfFn = (pdfPath: string, options: ElectronPrintOptions) => Promise<ElectronPrintResult | void>;

/** Electron's PrinterInfo, as returned by webContents.getPrintersAsync(). */
export interface ElectronPrinterInfo {
  name: string;
  displayName?: string;
  isDefault?: boolean;
  status?: number;
  options?: Record<string, string>;
}

const MICRONS_PER_INCH = 25_400;

/** Maps one of our jobs to webContents.print options. */
export function electronPrintOptions(job: Pick<PrintSubmit, 'copies' | 'media'>, opts: { deviceName: string; dpi?: number }): ElectronPrintOptions {
  const w = Math.round(job.media.widthIn * MICRONS_PER_INCH);
  const h = Math.round(job.media.heightIn * MICRONS_PER_INCH);
  const out: ElectronPrintOptions = {
    silent: true,
    printBackground: true,
    copies: Math.max(1, Math.min(99, Math.floor(job.copies) || 1)),
    // Chromium validates custom sizes as portrait paper; orientation is a separate flag.
    pageSize: { width: Math.min(w, h), height: Math.max(w, h) },
    landscape: w > h,
    margins: { marginType: 'none' },
    color: true,
    scaleFactor: 100,
  };
  if (opts.deviceName) out.deviceName = opts.deviceName;
  if (opts.dpi) out.dpi = { horizontal: opts.dpi, vertical: opts.dpi };
  return out;
}

/** Windows PRINTER_STATUS_* bits (winspool.h) → our codes. */
const WIN_STATUS: Array<[number, string]> = [
  [0x00000010, 'NO_PAPER'], // PAPER_OUT
  [0x00000040, 'NO_PAPER'], // PAPER_PROBLEM
  [0x00000008, 'PAPER_JAM'],
  [0x00040000, 'NO_RIBBON'], // NO_TONER: dye-sub drivers report an empty ribbon this way (TONER_LOW is only a warning)
  [0x00400000, 'DOOR_OPEN'],
  [0x00000080, 'OFFLINE'],
  [0x00001000, 'OFFLINE'], // NOT_AVAILABLE
  [0x00000001, 'PAUSED'],
  [0x00000002, 'ERROR'],
  [0x00100000, 'ERROR'], // USER_INTERVENTION
];

export function classifyWindowsPrinter(info: ElectronPrinterInfo | undefined, deviceName: string): PrinterStatus {
  if (!info) return { ready: false, code: 'NOT_FOUND', detail: deviceName ? `no printer named ${deviceName}` : 'no default printer' };
  deviceName = info.name;
  const status = info.status ?? Number(info.options?.['printer-status'] ?? 0);
  for (const [bit, code] of WIN_STATUS) {
    if ((status & bit) !== 0) return { ready: false, code, detail: `${deviceName} status=0x${status.toString(16)}` };
  }
  return { ready: true, code: 'READY', detail: `${deviceName} status=0x${status.toString(16)}` };
}

export interface ElectronPrinterOptions {
  deviceName: string;
  printPdf: PrintPdfFn;
  /** webContents.getPrintersAsync(); without it the printer is assumed present. */
  listPrinters?: () => Promise<ElectronPrinterInfo[]>;
  dpi?: number;
}

/**
 * Chromium hands the job to the Windows spooler and reports only "sent" or "failed", so "completed"
 * here means accepted by the spooler. Job keys are remembered for this process's lifetime only:
 * after a restart findJob() cannot know whether a job was handed over, so it returns null and
 * `uncertainAfterRestart` tells the spooler to settle such a job as failed (reprint/refund by staff)
 * rather than risk a double print.
 */
export function createElectronPrinter(opts: ElectronPrinterOptions): Printer & { readonly uncertainAfterRestart: true } {
  const jobs = new Map<string, { jobKey: string; state: PrintJobState }>();
  const byKey = new Map<string, string>();
  let seq = 0;

  return {
    name: 'electron',
    uncertainAfterRestart: true,
    async status(): Promise<PrinterStatus> {
      if (!opts.listPrinters) return { ready: true, code: 'READY', detail: `${opts.deviceName} (status not queried)` };
      try {
        const list = await opts.listPrinters();
        const info = opts.deviceName ? list.find((p) => p.name === opts.deviceName) : list.find((p) => p.isDefault);
        return classifyWindowsPrinter(info, opts.deviceName);
      } catch (e) {
        return { ready: false, code: 'ERROR', detail: `printer list failed: ${(e as Error).message}` };
      }
    },
    async submit(job: PrintSubmit): Promise<{ systemJobId: string }> {
      const known = byKey.get(job.jobKey);
      if (known && jobs.get(known)?.state !== 'aborted') return { systemJobId: known };
      await stat(job.pdfPath);
      const systemJobId = `electron-${Date.now().toString(36)}-${++seq}`;
      jobs.set(systemJobId, { jobKey: job.jobKey, state: 'processing' });
      byKey.set(job.jobKey, systemJobId);
      const options = electronPrintOptions(job, { deviceName: opts.deviceName, dpi: opts.dpi });
      void opts
        .printPdf(job.pdfPath, options)
        .then(
          (r): ElectronPrintResult => r ?? { success: true },
          (e: Error): ElectronPrintResult => ({ success: false, failureReason: e.message }),
        )
        .then((r) => {
          jobs.set(systemJobId, { jobKey: job.jobKey, state: r.success ? 'completed' : 'aborted' });
          if (r.success) log.info('job.spooled', { systemJobId, copies: options.copies });
          else log.error('job.failed', { systemJobId, reason: r.failureReason });
        });
      return { systemJobId };
    },
    async jobState(systemJobId: string): Promise<PrintJobState> {
      return jobs.get(systemJobId)?.state ?? 'aborted';
    },
    async findJob(jobKey: string): Promise<{ systemJobId: string } | null> {
      const id = byKey.get(jobKey);
      return id && jobs.get(id)?.state !== 'aborted' ? { systemJobId: id } : null;
    },
  };
}
