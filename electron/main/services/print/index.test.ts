import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { classifyPrinter } from './cupsPrinter';
import { createPrinter, createPrintService, printConfigFromEnv, printSize, renderPrintPdf } from './index';

describe('printConfigFromEnv', () => {
  it('defaults to the PDF printer with 6×4 and 6×8 at 300 dpi', () => {
    const c = printConfigFromEnv(undefined, {});
    expect(c.provider).toBe('pdf');
    expect(c.sizes.map((s) => [s.id, s.widthIn, s.heightIn, s.dpi])).toEqual([['6x4', 6, 4, 300], ['6x8', 6, 8, 300]]);
    expect(printSize(c)).toMatchObject({ id: '6x4' });
    expect(c.cups).toMatchObject({ queue: 'kiosk-pdf', autoReenable: true });
  });

  it('lets KIOSK_PRINTER / KIOSK_CUPS_QUEUE override the file section', () => {
    const c = printConfigFromEnv({ provider: 'pdf', cups: { queue: 'old', autoReenable: false } }, { KIOSK_PRINTER: 'cups', KIOSK_CUPS_QUEUE: 'DNP_RX1' });
    expect(c.provider).toBe('cups');
    expect(c.cups).toMatchObject({ queue: 'DNP_RX1', autoReenable: false });
    expect(createPrinter(c).name).toBe('cups');
  });

  it('rejects bad settings with a reason instead of starting with them', () => {
    expect(() => printConfigFromEnv({}, { KIOSK_PRINTER: 'cups', KIOSK_CUPS_QUEUE: 'bad queue; rm -rf /' })).toThrow(/queue/);
    expect(() => printConfigFromEnv({ defaultSizeId: 'A4' }, {})).toThrow(/defaultSizeId/);
    expect(() => printConfigFromEnv({ sizes: [{ id: 'x', widthIn: 6, heightIn: 4, dpi: 10, bleedIn: 0 }], defaultSizeId: 'x' }, {})).toThrow();
  });

  it('needs the host print function for the electron provider', () => {
    const c = printConfigFromEnv({ provider: 'electron', electron: { deviceName: 'DNP' } }, {});
    expect(() => createPrinter(c)).toThrow(/printPdf/);
    expect(createPrinter(c, { printPdf: async () => ({ success: true }) }).name).toBe('electron');
  });
});

describe('createPrintService (default PDF printer)', () => {
  it('lays out, prints to the folder, counts paper, and remembers both across a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'printsvc-test-'));
    try {
      const config = printConfigFromEnv({ paper: { capacity: 20, warnBelow: 5 } }, { KIOSK_PRINT_DIR: join(dir, 'out') });
      const svc = createPrintService(config, { stateDir: dir, pollMs: 5 });
      expect(await svc.queue.readiness(2)).toMatchObject({ ready: true });
      const image = await sharp({ create: { width: 900, height: 600, channels: 3, background: '#a22' } }).jpeg().toBuffer();
      const { pdfPath, widthPt, heightPt } = await renderPrintPdf({ image, size: svc.size(), outPath: join(dir, 'work', 'o1.pdf'), blessing: '新春快乐' });
      const outcome = await svc.queue.print({ jobKey: 'o1-print-1', pdfPath, copies: 2, media: { widthIn: widthPt / 72, heightIn: heightPt / 72 } });
      expect(outcome.ok).toBe(true);
      expect(svc.paper.get().remaining).toBe(18);
      svc.queue.close();
      const again = createPrintService(config, { stateDir: dir, pollMs: 5 });
      expect(again.paper.get().remaining).toBe(18);
      expect(await again.queue.print({ jobKey: 'o1-print-1', pdfPath, copies: 2, media: { widthIn: 6, heightIn: 4 } })).toEqual(outcome);
      expect(again.paper.get().remaining).toBe(18);
      again.queue.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('classifyPrinter (CUPS printer-state-reasons)', () => {
  it('prefers the physical cause over the pause it caused', () => {
    expect(classifyPrinter({ state: 3, reasons: ['none'], accepting: true })).toMatchObject({ ready: true, code: 'READY' });
    expect(classifyPrinter({ state: 5, reasons: ['paused'], accepting: true })).toMatchObject({ ready: false, code: 'PAUSED' });
    expect(classifyPrinter({ state: 5, reasons: ['media-empty-error', 'paused'], accepting: true })).toMatchObject({ code: 'NO_PAPER' });
    expect(classifyPrinter({ state: 3, reasons: ['marker-supply-empty-error'], accepting: true })).toMatchObject({ code: 'NO_RIBBON' });
    expect(classifyPrinter({ state: 3, reasons: ['media-jam'], accepting: true })).toMatchObject({ code: 'PAPER_JAM' });
    expect(classifyPrinter({ state: 3, reasons: ['offline-report'], accepting: true })).toMatchObject({ code: 'OFFLINE' });
    expect(classifyPrinter({ state: 3, reasons: ['none'], accepting: false })).toMatchObject({ code: 'NOT_ACCEPTING' });
  });

  it('treats warnings and reports as ready', () => {
    expect(classifyPrinter({ state: 4, reasons: ['media-low-warning', 'marker-supply-low-report'], accepting: true })).toMatchObject({ ready: true });
  });
});
