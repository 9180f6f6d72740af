// Paper left, counted: most dye-sub printers report no media level, so each completed print is
// counted against the pack the operator loaded (print/paperCounter.ts keeps the number on disk).
// The wrapper counts a job once, when the spooler first reports it completed, and reports the
// printer as not ready when the count reaches zero, so print packages stop selling before a
// family pays for a print that cannot come out.
import type { PaperCounter } from '../print/paperCounter';
import type { Printer, PrinterStatus } from '../print/types';

export function countingPrinter(inner: Printer, paper: PaperCounter): Printer {
  const pending = new Map<string, number>();
  const wrapped: Printer = {
    get name() {
      return inner.name;
    },
    get uncertainAfterRestart() {
      return inner.uncertainAfterRestart;
    },
    async status(): Promise<PrinterStatus> {
      const s = await inner.status();
      if (s.ready && paper.get().empty) return { ready: false, code: 'NO_PAPER', detail: 'paper counter at 0: load paper, then reset the counter' };
      return s;
    },
    async submit(job) {
      const r = await inner.submit(job);
      pending.set(r.systemJobId, Math.max(1, job.copies));
      return r;
    },
    async jobState(id) {
      const s = await inner.jobState(id);
      const copies = pending.get(id);
      if (s === 'completed' && copies !== undefined) {
        pending.delete(id);
        paper.consume(copies);
      } else if (copies !== undefined && (s === 'aborted' || s === 'canceled')) pending.delete(id);
      return s;
    },
    findJob: (key) => inner.findJob(key),
  };
  if (inner.cancel) wrapped.cancel = (id) => inner.cancel!(id);
  return wrapped;
}
