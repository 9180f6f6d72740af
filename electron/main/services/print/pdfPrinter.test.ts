import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPdfPrinter } from './pdfPrinter';
import type { Printer, PrintJobState } from './types';

const dir = mkdtempSync(join(tmpdir(), 'pdfprinter-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const src = join(dir, 'in.pdf');
writeFileSync(src, '%PDF-1.4 test job\n');

async function settle(p: Printer, id: string): Promise<PrintJobState[]> {
  const seen: PrintJobState[] = [];
  // Bounded by time, not by a number of ticks: a loaded CI machine copies slowly.
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const s = await p.jobState(id);
    if (seen.at(-1) !== s) seen.push(s);
    if (s === 'completed' || s === 'aborted') return seen;
    await new Promise((r) => setTimeout(r, 2));
  }
  return seen;
}

describe('pdf printer', () => {
  it('is ready, and "prints" by saving <jobKey>.pdf, pending → completed', async () => {
    const p = createPdfPrinter({ outDir: join(dir, 'out') });
    expect(await p.status()).toMatchObject({ ready: true, code: 'READY' });
    const { systemJobId } = await p.submit({ jobKey: 'order-1-print', pdfPath: src, copies: 2, media: { widthIn: 6, heightIn: 4 } });
    const states = await settle(p, systemJobId);
    expect(states[0]).toBe('pending');
    expect(states.at(-1)).toBe('completed');
    expect(readFileSync(join(dir, 'out', 'order-1-print.pdf'), 'utf8')).toBe('%PDF-1.4 test job\n');
  });

  it('never prints a jobKey twice, and remembers completed jobs across restarts', async () => {
    const outDir = join(dir, 'idem');
    const p = createPdfPrinter({ outDir });
    const a = await p.submit({ jobKey: 'k/../2', pdfPath: src, copies: 1, media: { widthIn: 6, heightIn: 4 } });
    const b = await p.submit({ jobKey: 'k/../2', pdfPath: src, copies: 1, media: { widthIn: 6, heightIn: 4 } });
    expect(b.systemJobId).toBe(a.systemJobId);
    await settle(p, a.systemJobId);
    const restarted = createPdfPrinter({ outDir });
    expect(await restarted.findJob('k/../2')).toEqual({ systemJobId: a.systemJobId });
    expect(await restarted.findJob('never-submitted')).toBeNull();
    expect(await restarted.jobState(a.systemJobId)).toBe('completed');
    writeFileSync(src + '2', 'different');
    const again = await restarted.submit({ jobKey: 'k/../2', pdfPath: src + '2', copies: 1, media: { widthIn: 6, heightIn: 4 } });
    expect(again.systemJobId).toBe(a.systemJobId);
    expect(readFileSync(join(outDir, 'k_.._2.pdf'), 'utf8')).toBe('%PDF-1.4 test job\n');
  });

  it('reports not ready when the folder cannot be written', async () => {
    // A path below a regular file cannot be created, whatever the user's rights (root included).
    writeFileSync(join(dir, 'a-file'), 'x');
    const p = createPdfPrinter({ outDir: join(dir, 'a-file', 'prints') });
    expect(await p.status()).toMatchObject({ ready: false, code: 'NOT_WRITABLE' });
  });

  it('rejects a missing input file at submit time', async () => {
    const p = createPdfPrinter({ outDir: join(dir, 'out2') });
    await expect(p.submit({ jobKey: 'x', pdfPath: join(dir, 'nope.pdf'), copies: 1, media: { widthIn: 6, heightIn: 4 } })).rejects.toThrow();
  });
});
