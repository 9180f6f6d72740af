// The one HTTP toolkit of the kiosk's two servers (the browser host on loopback, the phone listener
// on the LAN) and of the Electron host's app:// scheme: bounded bodies, JSON answers, static files
// behind one traversal guard, the content security policies, and a quiet way to count bad requests.
// Everything a hostile client can send goes through here, so it is written (and tested) once.
import { createReadStream, existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { resolve, sep } from 'node:path';
import type { Logger } from './log';
import { mimeOf } from './mime';

/**
 * Reads a request body up to `max` bytes; null when it is larger. Past the limit nothing more is
 * kept in memory (the rest is drained so the answer can still be sent on the same connection).
 */
export function readBody(req: IncomingMessage, max: number): Promise<Buffer | null> {
  return new Promise((done, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    const chunks: Buffer[] = [];
    let size = 0;
    let over = declared > max;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) over = true;
      if (!over) chunks.push(c);
    });
    req.on('end', () => done(over ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export type JsonBody = { ok: true; value: unknown } | { ok: false; status: 400 | 413 };

/** A JSON body (empty → `{}`): 413 when too large, 400 when it does not parse. */
export async function readJson(req: IncomingMessage, max: number): Promise<JsonBody> {
  const body = await readBody(req, max);
  if (!body) return { ok: false, status: 413 };
  if (!body.length) return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(body.toString('utf8')) as unknown };
  } catch {
    return { ok: false, status: 400 };
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
  res.end(text);
}

/** decodeURIComponent that answers null for a malformed escape (`%E0%A4%A`) instead of throwing. */
export function safeDecode(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

/** The traversal guard: the file `rel` names inside `rootDir`, or null when it would leave it. */
export function resolveInside(rootDir: string, rel: string): string | null {
  const root = resolve(rootDir);
  const file = resolve(root, '.' + (rel.startsWith('/') ? rel : `/${rel}`));
  return file.startsWith(root + sep) ? file : null;
}

/**
 * Serves one file from inside `rootDir` (404 when it is outside, missing or a folder). Returns
 * whether it was served. `headers` are added to the 200 answer (a CSP for HTML pages).
 */
export function serveFile(
  res: ServerResponse,
  rootDir: string,
  rel: string,
  opts: { cache: string; headers?: Record<string, string>; notFoundText?: string; status404?: number },
): boolean {
  const file = resolveInside(rootDir, rel);
  if (!file || !existsSync(file) || !statSync(file).isFile()) {
    res.writeHead(opts.status404 ?? 404, { 'Content-Type': 'text/plain; charset=utf-8' }).end(opts.notFoundText ?? '');
    return false;
  }
  res.writeHead(200, { 'Content-Type': mimeOf(file), 'Cache-Control': opts.cache, ...opts.headers });
  createReadStream(file).pipe(res);
  return true;
}

/** Headers every answer of both servers carries. */
export function baseHeaders(res: ServerResponse): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
}

/**
 * The content security policies, from one base: the kiosk page (browser host: its WebSocket on
 * loopback; Electron: the kiosk-media: scheme) and the phone pages (no WebSocket, no camera).
 */
const BASE_CSP = {
  'default-src': "'self'",
  'style-src': "'self' 'unsafe-inline'",
  'script-src': "'self'",
  'frame-ancestors': "'none'",
  'base-uri': "'none'",
  'form-action': "'none'",
};
function csp(extra: Record<string, string>): string {
  return Object.entries({ ...BASE_CSP, ...extra })
    .map(([k, v]) => `${k} ${v}`)
    .join('; ');
}
export const CSP = {
  browserKiosk: csp({ 'img-src': "'self' data: blob:", 'media-src': "'self' blob: mediastream:", 'connect-src': "'self' ws://127.0.0.1:* ws://localhost:*" }),
  electronKiosk: csp({ 'img-src': "'self' data: blob: kiosk-media:", 'media-src': "'self' blob: mediastream: kiosk-media:", 'connect-src': "'self'" }),
  phone: csp({ 'img-src': "'self' data: blob:", 'media-src': "'self' blob:", 'connect-src': "'self'" }),
} as const;

/**
 * Bad requests (malformed URLs, unknown calls, oversized bodies) from a looping client must not
 * grow the log: the first of each kind in a window is written, the rest are counted and written
 * as one summary line when the next window starts.
 */
export class RequestNoise {
  private readonly seen = new Map<string, { start: number; suppressed: number }>();
  constructor(
    private readonly log: Logger,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  note(kind: string, fields: Record<string, unknown> = {}): void {
    const t = this.now();
    const s = this.seen.get(kind);
    if (s && t - s.start < this.windowMs) {
      s.suppressed++;
      return;
    }
    if (s?.suppressed) this.log.warn('bad_request.summary', { kind, suppressed: s.suppressed, windowMs: this.windowMs });
    if (this.seen.size > 1000) this.seen.clear();
    this.seen.set(kind, { start: t, suppressed: 0 });
    this.log.warn('bad_request', { kind, ...fields });
  }
}
