// Results cross every process boundary as data: Electron forwards only the message of a thrown error.

export interface KioskError {
  /** Stable machine code, e.g. FACE_TOO_SMALL, PAYMENT_TIMEOUT, VALIDATION. */
  code: string;
  /** Human text for the kiosk screen (Chinese first; the renderer may translate by code). */
  message: string;
  /** True when trying the same call again later may succeed. */
  retryable: boolean;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: KioskError };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const err = (code: string, message: string, retryable = false): { ok: false; error: KioskError } => ({
  ok: false,
  error: { code, message, retryable },
});

/** An error a service throws on purpose; the IPC/HTTP binding turns it into `{ ok: false, error }`. */
export class KioskFailure extends Error implements KioskError {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable = false,
  ) {
    super(message);
    this.name = 'KioskFailure';
  }
}

export function toKioskError(e: unknown): KioskError {
  if (e instanceof KioskFailure) return { code: e.code, message: e.message, retryable: e.retryable };
  return { code: 'INTERNAL', message: '系统开小差了，请稍后再试', retryable: true };
}
