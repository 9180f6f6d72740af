// The log file for the operator to hand to support. The logger already replaces secret-looking
// fields; this is a second pass over the text for anything that slipped into a free-text message
// (a PEM key, a long base64 run that could be an image or a key).
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { basename } from 'node:path';

export const MAX_EXPORT_BYTES = 4 * 1024 * 1024;

export function scrubLogText(text: string): string {
  return text
    .replace(/-----BEGIN [A-Z ]+-----[\s\S]*?-----END [A-Z ]+-----/g, '[redacted pem]')
    .replace(/[A-Za-z0-9+/_-]{200,}={0,2}/g, (m) => `[redacted ${m.length} chars]`);
}

/** The last MAX_EXPORT_BYTES of the log, whole lines only, scrubbed. */
export function readLogForExport(path: string | null, maxBytes = MAX_EXPORT_BYTES): { fileName: string; text: string; truncated: boolean } {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  if (!path || !existsSync(path)) return { fileName: `kiosk-log-${stamp}.txt`, text: '', truncated: false };
  const size = statSync(path).size;
  const start = Math.max(0, size - maxBytes);
  const buf = Buffer.alloc(size - start);
  const fd = openSync(path, 'r');
  try {
    let off = 0;
    while (off < buf.length) {
      const n = readSync(fd, buf, off, buf.length - off, start + off);
      if (n === 0) break;
      off += n;
    }
  } finally {
    closeSync(fd);
  }
  let text = buf.toString('utf8');
  if (start > 0) text = text.slice(text.indexOf('\n') + 1);
  return { fileName: `${basename(path, '.log')}-${stamp}.log`, text: scrubLogText(text), truncated: start > 0 };
}
