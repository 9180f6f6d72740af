// A printer as the delivery service uses it. Implementations: pdf (default), cups, electron (Windows).

export interface PrinterStatus {
  ready: boolean;
  /** Machine code: READY, PAUSED, OFFLINE, NO_PAPER, NOT_FOUND, ERROR … */
  code: string;
  /** English detail for logs and the admin screen. */
  detail: string;
}

export type PrintJobState = 'pending' | 'processing' | 'completed' | 'stopped' | 'canceled' | 'aborted';

export interface PrintSubmit {
  /** Our idempotency key (stored before submit). */
  jobKey: string;
  /** A print-ready PDF at the page size (see layout). */
  pdfPath: string;
  copies: number;
  media: { widthIn: number; heightIn: number };
}

export interface Printer {
  readonly name: string;
  status(): Promise<PrinterStatus>;
  submit(job: PrintSubmit): Promise<{ systemJobId: string }>;
  jobState(systemJobId: string): Promise<PrintJobState>;
  /**
   * The job already submitted under this jobKey (e.g. CUPS job title, the PDF printer's file name), or null.
   * Lets a restart after a crash between "submit" and "record the job id" resume instead of printing twice.
   */
  findJob(jobKey: string): Promise<{ systemJobId: string } | null>;
  /** Withdraws a job that timed out, so it cannot come out after the order was settled (optional). */
  cancel?(systemJobId: string): Promise<void>;
  /**
   * True when findJob cannot see jobs submitted before a restart (Electron/Windows): the spooler then
   * settles an interrupted submit as failed (reprint or refund) instead of risking a double print.
   */
  readonly uncertainAfterRestart?: boolean;
}
