// The default "printer" when no real one is configured: each job's PDF lands in a folder as
// <jobKey>.pdf, so a kiosk without a printer (or a developer) still gets a real, checkable print file.
// It behaves like a spooler (pending → processing → completed) so the delivery flow is the same.
import { constants } from 'node:fs';
import { access, copyFile, mkdir, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { logger } from '../../infra/log';
import type { Printer, PrinterStatus, PrintJobState, PrintSubmit } from './types';

const log = logger('print.pdf');

/** Job keys become file names: keep them to a safe alphabet. */
export function safeJobFileName(jobKey: string): string {
  const clean = jobKey.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_').slice(0, 120);
  return clean || 'job';
}

export function createPdfPrinter(opts: { outDir: string }): Printer {
  const { outDir } = opts;
  const states = new Map<string, PrintJobState>();
  const idOf = (jobKey: string): string => `pdf:${safeJobFileName(jobKey)}`;
  const fileOf = (systemJobId: string): string => join(outDir, `${systemJobId.slice(4)}.pdf`);

  async function copyJob(systemJobId: string, src: string): Promise<void> {
    states.set(systemJobId, 'processing');
    const dest = fileOf(systemJobId);
    // Copy to a temp name and rename, so a half-copied file is never mistaken for a finished print.
    const tmp = `${dest}.${randomBytes(4).toString('hex')}.part`;
    try {
      await copyFile(src, tmp);
      await rename(tmp, dest);
      states.set(systemJobId, 'completed');
      log.info('job.completed', { systemJobId });
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      states.set(systemJobId, 'aborted');
      log.error('job.aborted', { systemJobId, error: e });
    }
  }

  return {
    name: 'pdf',
    async status(): Promise<PrinterStatus> {
      try {
        await mkdir(outDir, { recursive: true });
        await access(outDir, constants.W_OK);
        return { ready: true, code: 'READY', detail: `saving prints as PDF in ${outDir}` };
      } catch (e) {
        return { ready: false, code: 'NOT_WRITABLE', detail: `print folder not writable: ${(e as Error).message}` };
      }
    },
    async submit(job: PrintSubmit): Promise<{ systemJobId: string }> {
      const systemJobId = idOf(job.jobKey);
      // Idempotent by jobKey: a job in flight or already saved is not copied twice.
      const known = states.get(systemJobId);
      if (known && known !== 'aborted') return { systemJobId };
      if (await stat(fileOf(systemJobId)).then(() => true, () => false)) {
        states.set(systemJobId, 'completed');
        return { systemJobId };
      }
      await stat(job.pdfPath); // a missing input is the caller's error, reported at submit time
      await mkdir(outDir, { recursive: true });
      states.set(systemJobId, 'pending');
      log.info('job.submitted', { systemJobId, copies: job.copies });
      // Like a real spooler, submit returns before the job has printed.
      setImmediate(() => void copyJob(systemJobId, job.pdfPath));
      return { systemJobId };
    },
    async findJob(jobKey: string): Promise<{ systemJobId: string } | null> {
      const systemJobId = idOf(jobKey);
      const known = states.get(systemJobId);
      if (known && known !== 'aborted') return { systemJobId };
      return (await stat(fileOf(systemJobId)).then(() => true, () => false)) ? { systemJobId } : null;
    },
    async jobState(systemJobId: string): Promise<PrintJobState> {
      const s = states.get(systemJobId);
      if (s) return s;
      // After a restart the in-memory table is empty: the saved file is the record.
      if (systemJobId.startsWith('pdf:') && (await stat(fileOf(systemJobId)).then(() => true, () => false))) return 'completed';
      return 'aborted';
    },
  };
}
