import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { classifyWindowsPrinter, createElectronPrinter, electronPrintOptions, type ElectronPrintOptions } from './electronPrinter';

const dir = mkdtempSync(join(tmpdir(), 'eprint-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const pdf = join(dir, 'job.pdf');
writeFileSync(pdf, '%PDF-1.4\n');

describe('electronPrintOptions (webContents.print mapping)', () => {
  it('prints a 6×4 landscape page silently on the named printer, no margins, microns', () => {
    expect(electronPrintOptions({ copies: 2, media: { widthIn: 6, heightIn: 4 } }, { deviceName: 'DNP DS-RX1', dpi: 300 })).toEqual({
      silent: true,
      printBackground: true,
      deviceName: 'DNP DS-RX1',
      copies: 2,
      pageSize: { width: 101_600, height: 152_400 },
      landscape: true,
      margins: { marginType: 'none' },
      color: true,
      scaleFactor: 100,
      dpi: { horizontal: 300, vertical: 300 },
    });
  });

  it('keeps portrait pages portrait, uses the default printer when no name is set, clamps copies', () => {
    const o = electronPrintOptions({ copies: 0, media: { widthIn: 6, heightIn: 8 } }, { deviceName: '' });
    expect(o.pageSize).toEqual({ width: 152_400, height: 203_200 });
    expect(o.landscape).toBe(false);
    expect(o.deviceName).toBeUndefined();
    expect(o.copies).toBe(1);
    expect(o.dpi).toBeUndefined();
    expect(electronPrintOptions({ copies: 500, media: { widthIn: 4, heightIn: 6 } }, { deviceName: 'x' }).copies).toBe(99);
  });
});

describe('classifyWindowsPrinter', () => {
  it('maps winspool status bits to what the kiosk must show', () => {
    expect(classifyWindowsPrinter({ name: 'p', status: 0 }, 'p')).toMatchObject({ ready: true, code: 'READY' });
    expect(classifyWindowsPrinter({ name: 'p', status: 0x10 }, 'p')).toMatchObject({ ready: false, code: 'NO_PAPER' });
    expect(classifyWindowsPrinter({ name: 'p', status: 0x8 }, 'p')).toMatchObject({ ready: false, code: 'PAPER_JAM' });
    expect(classifyWindowsPrinter({ name: 'p', status: 0x80 }, 'p')).toMatchObject({ ready: false, code: 'OFFLINE' });
    expect(classifyWindowsPrinter({ name: 'p', status: 0x1 }, 'p')).toMatchObject({ ready: false, code: 'PAUSED' });
    expect(classifyWindowsPrinter({ name: 'p', status: 0x400 }, 'p')).toMatchObject({ ready: true }); // PRINTING
    expect(classifyWindowsPrinter(undefined, 'p')).toMatchObject({ ready: false, code: 'NOT_FOUND' });
  });
});

describe('ElectronPrinter', () => {
  it('hands the PDF and mapped options to the host, once per jobKey, and reports the outcome', async () => {
    const calls: Array<[string, ElectronPrintOptions]> = [];
    let finish: (ok: boolean) => void = () => undefined;
    const printer = createElectronPrinter({
      deviceName: 'Citizen CX-02',
      printPdf: (path, options) => {
        calls.push([path, options]);
        return new Promise((r) => (finish = (ok) => r(ok ? { success: true } : { success: false, failureReason: 'Print job failed' })));
      },
      listPrinters: async () => [{ name: 'Citizen CX-02', status: 0 }],
    });
    expect(await printer.status()).toMatchObject({ ready: true });
    const job = { jobKey: 'o1-p', pdfPath: pdf, copies: 3, media: { widthIn: 6, heightIn: 4 } };
    const { systemJobId } = await printer.submit(job);
    expect(await printer.submit(job)).toEqual({ systemJobId });
    expect(calls).toHaveLength(1);
    expect(calls[0]![0]).toBe(pdf);
    expect(calls[0]![1]).toMatchObject({ deviceName: 'Citizen CX-02', copies: 3, landscape: true, silent: true });
    expect(await printer.jobState(systemJobId)).toBe('processing');
    expect(await printer.findJob('o1-p')).toEqual({ systemJobId });
    finish(true);
    await new Promise((r) => setImmediate(r));
    expect(await printer.jobState(systemJobId)).toBe('completed');
  });

  it('marks a failed or throwing print as aborted, so the same jobKey may be retried', async () => {
    let n = 0;
    const printer = createElectronPrinter({
      deviceName: 'p',
      printPdf: async () => {
        n++;
        if (n === 1) throw new Error('window crashed');
        return { success: true };
      },
    });
    const job = { jobKey: 'o2-p', pdfPath: pdf, copies: 1, media: { widthIn: 6, heightIn: 4 } };
    const first = await printer.submit(job);
    await new Promise((r) => setImmediate(r));
    expect(await printer.jobState(first.systemJobId)).toBe('aborted');
    expect(await printer.findJob('o2-p')).toBeNull();
    const second = await printer.submit(job);
    expect(second.systemJobId).not.toBe(first.systemJobId);
    await new Promise((r) => setImmediate(r));
    expect(await printer.jobState(second.systemJobId)).toBe('completed');
  });

  it('accepts a host print function that resolves with nothing (the host signature Promise<void>)', async () => {
    const host: (pdfPath: string, options: Record<string, unknown>) => Promise<void> = async () => undefined;
    const printer = createElectronPrinter({ deviceName: 'p', printPdf: host });
    const { systemJobId } = await printer.submit({ jobKey: 'o3-p', pdfPath: pdf, copies: 1, media: { widthIn: 6, heightIn: 4 } });
    await new Promise((r) => setImmediate(r));
    expect(await printer.jobState(systemJobId)).toBe('completed');
  });

  it('reports a missing printer as not ready', async () => {
    const printer = createElectronPrinter({ deviceName: '', printPdf: async () => ({ success: true }), listPrinters: async () => [{ name: 'Fax' }] });
    expect(await printer.status()).toMatchObject({ ready: false, code: 'NOT_FOUND' });
  });
});
