// Structured log: one JSON line per event, to stderr and (once configured) to a file in the data dir.
// Never pass images, secrets or full payment payloads here (ARCHITECTURE.md §6).
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

type Level = 'debug' | 'info' | 'warn' | 'error';
type Fields = Record<string, unknown>;

let filePath: string | null = null;
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
      appendFileSync(filePath, line + '\n');
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

export function setLogFile(path: string | null, opts: { quiet?: boolean } = {}): void {
  if (path) mkdirSync(dirname(path), { recursive: true });
  filePath = path;
  if (opts.quiet !== undefined) quiet = opts.quiet;
}

export function logFilePath(): string | null {
  return filePath;
}
