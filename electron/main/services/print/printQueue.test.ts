import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPaperCounter } from './paperCounter';
import { createPrintQueue, type PrintJobView } from './printQueue';
import type { Printer, PrinterStatus, PrintJobState, PrintSubmit } from './types';

const dir = mkdtempSync(join(tmpdir(), 'printqueue-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = (name: string) => join(dir, `${name}-${++n}`);
const job = (jobKey: string, copies = 1): PrintSubmit => ({ jobKey, pdfPath: '/tmp/x.pdf', copies, media: { widthIn: 6, heightIn: 4 } });

/** A spooler in memory: each job goes pending → processing → (final) over a few polls. */
function fakePrinter(o: { final?: PrintJobState; pollsToFinish?: number; status?: () => PrinterStatus; uncertain?: boolean; known?: Record<string, string> } = {}) {
  const submits: PrintSubmit[] = [];
  const polls = new Map<string, number>();
  const canceled: string[] = [];
  let concurrent = 0;
  let maxConcurrent = 0;
  const byKey = new Map<string, string>(Object.entries(o.known ?? {}));
  const printer: Printer = {
    name: 'fake',
    uncertainAfterRestart: o.uncertain,
    status: async () => o.status?.() ?? { ready: true, code: 'READY', detail: '' },
    async submit(j) {
      submits.push(j);
      concurrent++;
      maxConcurrent = Math.max(maxConcurrent, concurrent);
      const id = `fake-${submits.length}`;
      byKey.set(j.jobKey, id);
      polls.set(id, 0);
      return { systemJobId: id };
    },
    async jobState(id) {
      const k = (polls.get(id) ?? 0) + 1;
      polls.set(id, k);
      if (k < 2) return 'pending';
      if (k < (o.pollsToFinish ?? 3)) return 'processing';
      const final = o.final ?? 'completed';
      if (final === 'completed' || final === 'aborted' || final === 'canceled') concurrent = Math.max(0, concurrent - 1);
      return final;
    },
    findJob: async (k) => (byKey.has(k) ? { systemJobId: byKey.get(k)! } : null),
    cancel: async (id) => void canceled.push(id),
  };
  return { printer, submits, canceled, maxConcurrent: () => maxConcurrent };
}

describe('print queue', () => {
  it('prints one job at a time, each to completion, and reports queued → printing → done', async () => {
    const f = fakePrinter();
    const views: Array<[string, PrintJobView]> = [];
    const q = createPrintQueue({ printer: f.printer, stateFile: fresh('state.json'), pollMs: 1, onUpdate: (k, v) => views.push([k, v]) });
    const [a, b, c] = await Promise.all([q.print(job('a')), q.print(job('b', 2)), q.print(job('c'))]);
    expect([a.ok, b.ok, c.ok]).toEqual([true, true, true]);
    expect(f.submits.map((s) => s.jobKey)).toEqual(['a', 'b', 'c']);
    expect(f.maxConcurrent()).toBe(1);
    const statuses = views.filter(([k]) => k === 'b').map(([, v]) => v.status);
    expect(statuses[0]).toBe('queued');
    expect(statuses).toContain('printing');
    expect(statuses.at(-1)).toBe('done');
    expect(q.view('b')).toEqual({ status: 'done', progress: 1, copies: 2 });
    q.close();
  });

  it('never submits a jobKey twice: double taps, re-prints of a done job, and restarts', async () => {
    const f = fakePrinter();
    const stateFile = fresh('state.json');
    const q = createPrintQueue({ printer: f.printer, stateFile, pollMs: 1 });
    const [x, y] = await Promise.all([q.print(job('order-7')), q.print(job('order-7'))]);
    expect(x).toEqual(y);
    expect(await q.print(job('order-7'))).toEqual(x);
    q.close();
    const restarted = createPrintQueue({ printer: f.printer, stateFile, pollMs: 1 });
    expect(await restarted.print(job('order-7'))).toMatchObject({ ok: true, systemJobId: x.systemJobId });
    expect(f.submits).toHaveLength(1);
    restarted.close();
  });

  it('after a crash mid-submit, asks the spooler first instead of printing again', async () => {
    const stateFile = fresh('state.json');
    const t = new Date().toISOString();
    const rec = (jobKey: string) => ({ jobKey, pdfPath: '/tmp/x.pdf', copies: 1, media: { widthIn: 6, heightIn: 4 }, state: 'submitting', systemJobId: null, systemState: null, error: null, createdAt: t, updatedAt: t, submittedAt: null });
    writeFileSync(stateFile, JSON.stringify({ version: 1, jobs: { reached: rec('reached'), lost: rec('lost') } }));
    const f = fakePrinter({ known: { reached: 'fake-99' } });
    const q = createPrintQueue({ printer: f.printer, stateFile, pollMs: 1 });
    const outcomes = await q.resume();
    expect(outcomes.map((o) => [o.jobKey, o.ok, o.systemJobId])).toEqual([['reached', true, 'fake-99'], ['lost', true, 'fake-1']]);
    expect(f.submits.map((s) => s.jobKey)).toEqual(['lost']);
    q.close();

    // A printer that cannot look jobs up (Windows) settles the uncertain job for staff instead.
    const stateFile2 = fresh('state.json');
    writeFileSync(stateFile2, JSON.stringify({ version: 1, jobs: { maybe: rec('maybe') } }));
    const w = fakePrinter({ uncertain: true });
    const q2 = createPrintQueue({ printer: w.printer, stateFile: stateFile2, pollMs: 1 });
    expect(await q2.resume()).toMatchObject([{ jobKey: 'maybe', ok: false, error: { code: 'PRINT_UNCERTAIN' } }]);
    expect(w.submits).toHaveLength(0);
    q2.close();
  });

  it('waits for a paused printer to come back, and fails with a reason if it never does', async () => {
    let polls = 0;
    const f = fakePrinter({ status: () => (++polls < 4 ? { ready: false, code: 'PAUSED', detail: 'stopped' } : { ready: true, code: 'READY', detail: '' }) });
    const views: string[] = [];
    const q = createPrintQueue({ printer: f.printer, stateFile: fresh('state.json'), pollMs: 1, onUpdate: (_k, v) => views.push(v.message ?? v.status) });
    expect((await q.print(job('p1'))).ok).toBe(true);
    expect(views).toContain('打印机准备中，请稍候');
    q.close();

    const dead = fakePrinter({ status: () => ({ ready: false, code: 'OFFLINE', detail: 'unplugged' }) });
    const q2 = createPrintQueue({ printer: dead.printer, stateFile: fresh('state.json'), pollMs: 1, readyTimeoutMs: 20 });
    expect(await q2.print(job('p2'))).toMatchObject({ ok: false, error: { code: 'PRINTER_NOT_READY', message: '打印机暂时无法使用，请联系工作人员' } });
    expect(dead.submits).toHaveLength(0);
    expect(q2.view('p2')).toMatchObject({ status: 'failed' });
    q2.close();
  });

  it('settles aborted and never-ending jobs as failed (and withdraws the stuck one)', async () => {
    const aborted = fakePrinter({ final: 'aborted' });
    const q = createPrintQueue({ printer: aborted.printer, stateFile: fresh('state.json'), pollMs: 1 });
    expect(await q.print(job('ab'))).toMatchObject({ ok: false, error: { code: 'PRINT_FAILED' } });
    q.close();
    const stuck = fakePrinter({ final: 'processing', pollsToFinish: 2 });
    const q2 = createPrintQueue({ printer: stuck.printer, stateFile: fresh('state.json'), pollMs: 1, jobTimeoutMs: 30 });
    expect(await q2.print(job('st'))).toMatchObject({ ok: false, error: { code: 'PRINT_TIMEOUT' } });
    expect(stuck.canceled).toEqual(['fake-1']);
    q2.close();
  });

  it('counts paper, refuses jobs that do not fit, and resumes after a refill', async () => {
    const paperFile = fresh('paper.json');
    const paper = createPaperCounter({ file: paperFile, capacity: 3, warnBelow: 2 });
    const f = fakePrinter();
    const q = createPrintQueue({ printer: f.printer, stateFile: fresh('state.json'), paper, pollMs: 1, readyTimeoutMs: 10 });
    expect((await q.print(job('c2', 2))).ok).toBe(true);
    expect(paper.get()).toMatchObject({ remaining: 1, low: true, empty: false, printedTotal: 2 });
    expect(await q.readiness(2)).toMatchObject({ ready: false, code: 'NO_PAPER' });
    expect(await q.print(job('c3', 2))).toMatchObject({ ok: false, error: { code: 'NO_PAPER', message: '相纸已用完，请联系工作人员' } });
    // The count survives a restart; a refill resets it.
    const again = createPaperCounter({ file: paperFile, capacity: 3, warnBelow: 2 });
    expect(again.get().remaining).toBe(1);
    expect(again.refill(50)).toMatchObject({ capacity: 50, remaining: 50, printedSinceRefill: 0, printedTotal: 2, low: false });
    expect(createPaperCounter({ file: paperFile, capacity: 3, warnBelow: 2 }).get().remaining).toBe(50);
    q.close();
  });

  it('survives a corrupt state file and a corrupt paper file', async () => {
    const stateFile = fresh('state.json');
    writeFileSync(stateFile, '{"jobs": [tru');
    const paperFile = fresh('paper.json');
    writeFileSync(paperFile, 'garbage');
    const paper = createPaperCounter({ file: paperFile, capacity: 10, warnBelow: 1 });
    expect(paper.get().remaining).toBe(10);
    const f = fakePrinter();
    const q = createPrintQueue({ printer: f.printer, stateFile, paper, pollMs: 1 });
    expect((await q.print(job('ok'))).ok).toBe(true);
    q.close();
  });
});
