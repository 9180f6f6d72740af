// Prints through the real CUPS scheduler into the cups-pdf virtual printer (scripts/ci-cups-setup.sh
// prepares it) and checks what comes out. There is no skip: without the queue this fails and says why.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCupsPrinter } from './cupsPrinter';
import { createPrinter, printConfigFromEnv } from './index';
import { IPP_OP, ippCall } from './ipp';
import { PRINT_SIZES, renderPrintPdf } from './layout';
import { createPaperCounter } from './paperCounter';
import { createPrintQueue, type PrintJobView } from './printQueue';

const QUEUE = process.env.KIOSK_CUPS_QUEUE ?? 'kiosk-pdf';
const OUT = process.env.KIOSK_CUPS_PDF_OUT ?? '/var/spool/cups-pdf/kiosk';
const dir = mkdtempSync(join(tmpdir(), 'cups-test-'));
const runId = Date.now().toString(36);
let pdf6x4 = '';
let pdf6x8 = '';
const outputs: string[] = [];

const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: 'utf8', env: { ...process.env, LANG: 'C', LC_ALL: 'C' } });
const sbin = (c: string) => (existsSync(`/usr/sbin/${c}`) ? `/usr/sbin/${c}` : c);

/** The file cups-pdf wrote for a CUPS job (Label 2 puts "job_<id>" in the name). */
async function outputOf(systemJobId: string): Promise<string> {
  const id = /-(\d+)$/.exec(systemJobId)![1];
  for (let i = 0; i < 100; i++) {
    const f = readdirSync(OUT).find((n) => n.endsWith(`job_${id}.pdf`));
    if (f) {
      outputs.push(join(OUT, f));
      return join(OUT, f);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`cups-pdf wrote nothing for ${systemJobId} in ${OUT}`);
}

beforeAll(async () => {
  const status = await createCupsPrinter({ queue: QUEUE, autoReenable: true }).status();
  if (!['READY', 'PAUSED', 'NOT_ACCEPTING'].includes(status.code) || !existsSync(OUT)) {
    throw new Error(
      `CUPS queue "${QUEUE}" is not usable (${status.code}: ${status.detail}; cups-pdf output ${OUT} ${existsSync(OUT) ? 'exists' : 'missing'}). ` +
        'Run scripts/ci-cups-setup.sh (as root) first; CI runs it from .ci/run.',
    );
  }
  const photo = await sharp({ create: { width: 1800, height: 1200, channels: 3, background: { r: 190, g: 30, b: 40 } } }).jpeg().toBuffer();
  pdf6x4 = (await renderPrintPdf({ image: photo, size: PRINT_SIZES['6x4'], outPath: join(dir, '6x4.pdf'), blessing: '阖家团圆', qrText: 'https://kiosk.example/d/x' })).pdfPath;
  const tall = await sharp({ create: { width: 1200, height: 1600, channels: 3, background: { r: 20, g: 90, b: 160 } } }).jpeg().toBuffer();
  pdf6x8 = (await renderPrintPdf({ image: tall, size: PRINT_SIZES['6x8'], outPath: join(dir, '6x8.pdf') })).pdfPath;
});

afterAll(() => {
  // Leave the shared queue enabled whatever happened.
  try {
    sh(sbin('cupsenable'), [QUEUE]);
  } catch {
    /* reported by the tests themselves */
  }
  rmSync(dir, { recursive: true, force: true });
  for (const f of outputs) rmSync(f, { force: true });
});

describe('printing through the real CUPS queue (cups-pdf)', () => {
  it('prints the layout PDF through the spooler: job states followed to completed, page size and image intact', async () => {
    const config = printConfigFromEnv({ provider: 'cups', cups: { queue: QUEUE } }, {});
    const printer = createPrinter(config);
    const paper = createPaperCounter({ file: join(dir, 'paper.json'), capacity: 10, warnBelow: 2 });
    const views: PrintJobView[] = [];
    const q = createPrintQueue({ printer, stateFile: join(dir, 'queue.json'), paper, pollMs: 200, onUpdate: (_k, v) => views.push(v) });
    expect(await q.readiness(2)).toMatchObject({ ready: true, code: 'READY' });

    const jobKey = `it-${runId}-6x4`;
    const outcome = await q.print({ jobKey, pdfPath: pdf6x4, copies: 2, media: { widthIn: 6, heightIn: 4 } });
    expect(outcome).toMatchObject({ ok: true, jobKey });
    expect(outcome.systemJobId).toMatch(new RegExp(`^${QUEUE}-\\d+$`));
    expect(views[0]!.status).toBe('queued');
    expect(views.map((v) => v.status)).toContain('printing');
    expect(views.at(-1)).toEqual({ status: 'done', progress: 1, copies: 2 });
    expect(paper.get().remaining).toBe(8);

    // CUPS itself agrees: completed, with our title and copies.
    const id = Number(/-(\d+)$/.exec(outcome.systemJobId!)![1]);
    const res = await ippCall({ baseUrl: 'http://localhost:631', timeoutMs: 5000 }, `/printers/${QUEUE}`, IPP_OP.getJobAttributes, [
      { tag: 'uri', name: 'printer-uri', values: [`ipp://localhost/printers/${QUEUE}`] },
      { tag: 'integer', name: 'job-id', values: [id] },
      { tag: 'name', name: 'requesting-user-name', values: [process.env.USER ?? 'root'] },
      { tag: 'keyword', name: 'requested-attributes', values: ['job-state', 'copies', 'job-name'] },
    ]);
    const attrs = res.groups.find((g) => g.tag === 0x02)!.attrs;
    expect(attrs['job-state']).toEqual([9]);
    expect(attrs['copies']).toEqual([2]);

    const out = await outputOf(outcome.systemJobId!);
    expect(sh('pdfinfo', [out])).toMatch(/Page size:\s+432 x 288 pts/);
    const images = sh('pdfimages', ['-list', out]).trim().split('\n').slice(2);
    expect(images.length).toBeGreaterThanOrEqual(1);
    const [w, h] = images[0]!.trim().split(/\s+/).slice(3, 5).map(Number);
    expect(w).toBeGreaterThanOrEqual(1800);
    expect(h).toBeGreaterThanOrEqual(1200);
    // The photo's red is what comes out in the middle of the page.
    const png = execFileSync('pdftoppm', ['-r', '20', '-png', '-singlefile', out]);
    const { data } = await sharp(png).extract({ left: 55, top: 25, width: 10, height: 10 }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    expect(data[0]).toBeGreaterThan(150);
    expect(data[1]).toBeLessThan(80);

    // Same jobKey again (double tap, or a restart that lost memory): no second job in CUPS.
    const restarted = createPrintQueue({ printer, stateFile: join(dir, 'queue-other.json'), pollMs: 200 });
    expect((await printer.findJob(jobKey))?.systemJobId).toBe(outcome.systemJobId);
    const again = await restarted.print({ jobKey, pdfPath: pdf6x4, copies: 2, media: { widthIn: 6, heightIn: 4 } });
    expect(again).toMatchObject({ ok: true, systemJobId: outcome.systemJobId });
    q.close();
    restarted.close();
  });

  it('prints 6×8 at its own page size', async () => {
    const printer = createCupsPrinter({ queue: QUEUE, autoReenable: false });
    const q = createPrintQueue({ printer, stateFile: join(dir, 'queue-6x8.json'), pollMs: 200 });
    const outcome = await q.print({ jobKey: `it-${runId}-6x8`, pdfPath: pdf6x8, copies: 1, media: { widthIn: 6, heightIn: 8 } });
    expect(outcome.ok).toBe(true);
    expect(sh('pdfinfo', [await outputOf(outcome.systemJobId!)])).toMatch(/Page size:\s+432 x 576 pts/);
    q.close();
  });

  it('detects a paused queue, re-enables it when configured, and the waiting job then prints', async () => {
    sh(sbin('cupsdisable'), ['-r', 'test: out of paper', QUEUE]);
    const strict = createCupsPrinter({ queue: QUEUE, autoReenable: false });
    const paused = await strict.status();
    expect(paused).toMatchObject({ ready: false, code: 'PAUSED' });
    expect(paused.detail).toMatch(/paused/);
    expect(sh('lpstat', ['-p', QUEUE])).toMatch(/disabled/);

    // The kiosk with autoReenable: the job waits for the printer, status() re-enables, the job prints.
    const healing = createCupsPrinter({ queue: QUEUE, autoReenable: true, reenableEverySec: 0 });
    const views: PrintJobView[] = [];
    const q = createPrintQueue({ printer: healing, stateFile: join(dir, 'queue-paused.json'), pollMs: 200, onUpdate: (_k, v) => views.push(v) });
    const outcome = await q.print({ jobKey: `it-${runId}-paused`, pdfPath: pdf6x4, copies: 1, media: { widthIn: 6, heightIn: 4 } });
    expect(outcome.ok).toBe(true);
    expect(sh('lpstat', ['-p', QUEUE])).toMatch(/enabled/);
    expect(await strict.status()).toMatchObject({ ready: true, code: 'READY' });
    expect(sh('pdfinfo', [await outputOf(outcome.systemJobId!)])).toMatch(/Page size:\s+432 x 288 pts/);
    q.close();
  });

  it('a job submitted to a queue that pauses mid-way is seen as stopped/pending, then completes after re-enable', async () => {
    const printer = createCupsPrinter({ queue: QUEUE, autoReenable: false });
    sh(sbin('cupsdisable'), [QUEUE]);
    const { systemJobId } = await printer.submit({ jobKey: `it-${runId}-held`, pdfPath: pdf6x4, copies: 1, media: { widthIn: 6, heightIn: 4 } });
    expect(await printer.jobState(systemJobId)).toBe('pending');
    expect(await printer.status()).toMatchObject({ code: 'PAUSED' });
    sh(sbin('cupsenable'), [QUEUE]);
    let state = await printer.jobState(systemJobId);
    for (let i = 0; i < 100 && state !== 'completed'; i++) {
      await new Promise((r) => setTimeout(r, 200));
      state = await printer.jobState(systemJobId);
    }
    expect(state).toBe('completed');
    expect(sh('pdfinfo', [await outputOf(systemJobId)])).toMatch(/Pages:\s+1\n/);
  });

  it('reports a queue that does not exist', async () => {
    expect(await createCupsPrinter({ queue: `missing-${runId}`, autoReenable: true }).status()).toMatchObject({ ready: false, code: 'NOT_FOUND' });
  });
});
