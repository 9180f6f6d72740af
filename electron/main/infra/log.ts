// Structured log: one JSON line per event, to stderr and (once configured) to a file in the data dir.
// Never pass images, secrets or full payment payloads here (ARCHITECTURE.md §6).
// The file is written synchronously (a line written before a crash is on disk), 0600, and rotated
// by size: kiosk.log → kiosk.log.1 … .N, so the log never takes more than (N + 1) × maxBytes.
// (rotating-file-stream would write asynchronously and lose the last lines of a crash.)
import { appendFileSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

type Level = 'debug' | 'info' | 'warn' | 'error';
type Fields = Record<string, unknown>;

let filePath: string | null = null;
/** Size of the current file as far as this process knows (-1: ask the file system). */
let fileBytes = -1;
let rotation = { maxBytes: 10 * 1024 * 1024, keep: 5 };
let quiet = process.env.KIOSK_LOG_QUIET === '1';

/** Field names whose values are replaced before writing: a last line of defence against leaks. */
const SECRET_KEYS = /(secret|password|pin|private|apiv3|token|authorization|signature|base64|image|jpeg)/i;

function scrub(fields: Fields): Fields {
  const out: Fields = {};
  for (const [k, v] of Object.entries(fields)) {
    if (SECRET_KEYS.test(k)) out[k] = '[redacted]';
    else if (v instanceof Error) out[k] = { name: v.name, message: v.message };
    else if (Buffer.isBuffer(v)) out[k] = `[${v.length} bytes]`;
    else if (typeof v === 'string' && v.length > 500) out[k] = `${v.slice(0, 200)}…[${v.length} chars]`;
    else out[k] = v;
  }
  return out;
}

function write(level: Level, scope: string, event: string, fields: Fields = {}): void {
  const line = JSON.stringify({ t: new Date().toISOString(), level, scope, event, ...scrub(fields) });
  if (!quiet || level === 'error') process.stderr.write(line + '\n');
  if (filePath) {
    try {
      const bytes = Buffer.byteLength(line) + 1;
      if (fileBytes < 0) fileBytes = sizeOf(filePath);
      if (fileBytes > 0 && fileBytes + bytes > rotation.maxBytes) rotate(filePath);
      appendFileSync(filePath, line + '\n', { mode: 0o600 });
      fileBytes += bytes;
    } catch {
      // A full disk must not take the kiosk down with it; stderr still has the line.
    }
  }
}

export interface Logger {
  debug(event: string, fields?: Fields): void;
  info(event: string, fields?: Fields): void;
  warn(event: string, fields?: Fields): void;
  error(event: string, fields?: Fields): void;
}

export function logger(scope: string): Logger {
  return {
    debug: (e, f) => process.env.KIOSK_DEBUG && write('debug', scope, e, f),
    info: (e, f) => write('info', scope, e, f),
    warn: (e, f) => write('warn', scope, e, f),
    error: (e, f) => write('error', scope, e, f),
  };
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** kiosk.log.(N-1) → .N, …, kiosk.log → .1; the oldest is dropped. */
function rotate(path: string): void {
  rmSync(`${path}.${rotation.keep}`, { force: true });
  for (let i = rotation.keep - 1; i >= 1; i--) {
    try {
      renameSync(`${path}.${i}`, `${path}.${i + 1}`);
    } catch {
      // that generation does not exist yet
    }
  }
  renameSync(path, `${path}.1`);
  fileBytes = 0;
}

/** Size cap per file and how many rotated files are kept (tests use small numbers). */
export function setLogRotation(opts: { maxBytes: number; keep: number }): void {
  rotation = { maxBytes: Math.max(1024, opts.maxBytes), keep: Math.max(1, opts.keep) };
}

export function setLogFile(path: string | null, opts: { quiet?: boolean } = {}): void {
  if (path) mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  filePath = path;
  fileBytes = -1;
  if (opts.quiet !== undefined) quiet = opts.quiet;
}

export function logFilePath(): string | null {
  return filePath;
}
