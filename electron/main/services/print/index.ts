// Print configuration and the printer factory. Provider: 'pdf' (default: a folder of print-ready PDFs),
// 'cups' (Linux system queue), 'electron' (Windows silent print through the Electron host).
import { join } from 'node:path';
import { z } from 'zod';
import { dataDir, dataPaths } from '../../infra/paths';
import { CUPS_QUEUE_NAME, createCupsPrinter } from './cupsPrinter';
import { createElectronPrinter, type ElectronPrinterInfo, type PrintPdfFn } from './electronPrinter';
import { PRINT_SIZES, type PrintSize } from './layout';
import { createPaperCounter, type PaperCounter } from './paperCounter';
import { createPdfPrinter } from './pdfPrinter';
import { createPrintQueue, type PrintJobView, type PrintQueue } from './printQueue';
import type { Printer } from './types';

export const PrintSizeSchema = z.object({
  id: z.string().min(1).max(32).regex(/^[A-Za-z0-9_-]+$/),
  widthIn: z.number().min(1).max(24),
  heightIn: z.number().min(1).max(24),
  dpi: z.number().int().min(72).max(1200),
  bleedIn: z.number().min(0).max(0.5),
});

const DEFAULT_SIZES: PrintSize[] = [PRINT_SIZES['6x4'], PRINT_SIZES['6x8']];

export const PrintConfig = z
  .object({
    provider: z.enum(['pdf', 'cups', 'electron']).default('pdf'),
    pdf: z.object({ outDir: z.string().optional() }).default({}),
    cups: z
      .object({
        queue: z.string().regex(CUPS_QUEUE_NAME, 'CUPS queue names are letters, digits, _ . -').default('kiosk-pdf'),
        /** cupsenable/cupsaccept a queue that stopped itself (needs the kiosk user in the lpadmin group). */
        autoReenable: z.boolean().default(true),
        ippUrl: z.string().url().optional(),
        /** Driver media names by paper in inches, short side first, e.g. { "4x6": "w288h432" }; default Custom.WxHin. */
        mediaNames: z.record(z.string(), z.string().regex(/^[A-Za-z0-9_.-]+$/)).default({}),
        /** Extra lp -o options, e.g. { "StpLaminate": "Matte" }. */
        jobOptions: z.record(z.string().regex(/^[A-Za-z0-9_-]+$/), z.string().regex(/^[^\s]+$/)).default({}),
      })
      .default({ queue: 'kiosk-pdf', autoReenable: true, mediaNames: {}, jobOptions: {} }),
    electron: z
      .object({
        /** Windows printer name as in Settings → Printers; empty = the system default printer. */
        deviceName: z.string().default(''),
        dpi: z.number().int().min(72).max(1200).optional(),
      })
      .default({ deviceName: '' }),
    paper: z
      .object({
        /** Prints per roll/pack (DNP DS-RX1 6×4: 700; Canon SELPHY: 18 or 54). */
        capacity: z.number().int().min(1).max(10_000).default(700),
        /** The admin screen asks for a refill below this. */
        warnBelow: z.number().int().min(0).max(10_000).default(30),
      })
      .default({ capacity: 700, warnBelow: 30 }),
    sizes: z.array(PrintSizeSchema).min(1).default(DEFAULT_SIZES),
    defaultSizeId: z.string().default('6x4'),
    /** A job not completed within this is settled as failed (reprint or refund). */
    jobTimeoutSec: z.number().int().min(10).max(3600).default(300),
  })
  .refine((c) => c.sizes.some((s) => s.id === c.defaultSizeId), { message: 'defaultSizeId must name one of sizes', path: ['defaultSizeId'] });
export type PrintConfig = z.infer<typeof PrintConfig>;

/** The print section of config.json, overridden by KIOSK_PRINTER (pdf|cups|electron), KIOSK_CUPS_QUEUE, KIOSK_PRINT_DIR. */
export function printConfigFromEnv(fileSection: unknown, env: NodeJS.ProcessEnv = process.env): PrintConfig {
  const base = typeof fileSection === 'object' && fileSection !== null ? structuredClone(fileSection as Record<string, unknown>) : {};
  const provider = env.KIOSK_PRINTER;
  if (provider === 'pdf' || provider === 'cups' || provider === 'electron') base.provider = provider;
  if (env.KIOSK_CUPS_QUEUE) base.cups = { ...((base.cups as object | undefined) ?? {}), queue: env.KIOSK_CUPS_QUEUE };
  if (env.KIOSK_PRINT_DIR) base.pdf = { ...((base.pdf as object | undefined) ?? {}), outDir: env.KIOSK_PRINT_DIR };
  return PrintConfig.parse(base);
}

export function printSize(config: PrintConfig, id?: string): PrintSize {
  return config.sizes.find((s) => s.id === (id ?? config.defaultSizeId)) ?? config.sizes[0]!;
}

export interface PrinterDeps {
  /** Electron host: prints a PDF silently in a hidden window (required for provider 'electron'). */
  printPdf?: PrintPdfFn;
  /** Electron host: webContents.getPrintersAsync(). */
  listPrinters?: () => Promise<ElectronPrinterInfo[]>;
}

export function createPrinter(config: PrintConfig, deps: PrinterDeps = {}): Printer {
  switch (config.provider) {
    case 'cups': {
      const names = config.cups.mediaNames;
      return createCupsPrinter({
        queue: config.cups.queue,
        autoReenable: config.cups.autoReenable,
        ippUrl: config.cups.ippUrl,
        jobOptions: config.cups.jobOptions,
        media: (m) => {
          const key = `${Math.min(m.widthIn, m.heightIn)}x${Math.max(m.widthIn, m.heightIn)}`;
          return names[key] ?? `Custom.${m.widthIn}x${m.heightIn}in`;
        },
      });
    }
    case 'electron':
      if (!deps.printPdf) throw new Error("print provider 'electron' needs the Electron host's printPdf");
      return createElectronPrinter({ deviceName: config.electron.deviceName, dpi: config.electron.dpi, printPdf: deps.printPdf, listPrinters: deps.listPrinters });
    case 'pdf':
    default:
      return createPdfPrinter({ outDir: config.pdf.outDir ?? join(dataPaths(dataDir()).prints) });
  }
}

export interface PrintService {
  config: PrintConfig;
  printer: Printer;
  paper: PaperCounter;
  queue: PrintQueue;
  /** A configured size by id (default size when omitted or unknown). */
  size(id?: string): PrintSize;
}

/**
 * Printer + persisted paper counter (`<stateDir>/print-paper.json`) + one-at-a-time spooler
 * (`<stateDir>/print-jobs.json`). Call `queue.resume()` once at start-up.
 */
export function createPrintService(
  config: PrintConfig,
  opts: PrinterDeps & { stateDir: string; onUpdate?: (jobKey: string, view: PrintJobView) => void; pollMs?: number; printer?: Printer },
): PrintService {
  // The kiosk passes the printer its provider registry built; tools and tests let config choose.
  const printer = opts.printer ?? createPrinter(config, opts);
  const paper = createPaperCounter({ file: join(opts.stateDir, 'print-paper.json'), capacity: config.paper.capacity, warnBelow: config.paper.warnBelow });
  const queue = createPrintQueue({
    printer,
    paper,
    stateFile: join(opts.stateDir, 'print-jobs.json'),
    jobTimeoutMs: config.jobTimeoutSec * 1000,
    pollMs: opts.pollMs,
    onUpdate: opts.onUpdate,
  });
  return { config, printer, paper, queue, size: (id) => printSize(config, id) };
}

export { createPaperCounter, type PaperCounter, type PaperState } from './paperCounter';
export { createPrintQueue, type PrintQueue, type PrintJobView, type PrintOutcome, type PrintJobRecord } from './printQueue';
export { renderPrintPdf, PRINT_SIZES, type PrintSize, type RenderPrintOptions, type RenderedPrint } from './layout';
export { createPdfPrinter } from './pdfPrinter';
export { createCupsPrinter, classifyPrinter, cancelCupsJob } from './cupsPrinter';
export { electronPrintPage, parseImagePdf, type PrintPage } from './electronPrintPage';
export { createElectronPrinter, electronPrintOptions, classifyWindowsPrinter, type ElectronPrintOptions, type PrintPdfFn } from './electronPrinter';
export type { Printer, PrinterStatus, PrintJobState, PrintSubmit } from './types';
