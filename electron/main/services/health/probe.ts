// Is a provider's endpoint reachable from here? DNS, then one HEAD request with a short timeout
// (any HTTP status counts as reachable: we test the path, not the credentials). The response's
// Date header is handed back for the clock check: a kiosk clock that is minutes off breaks WeChat
// Pay's and Volcengine's request signatures long before anybody notices the time on the screen.
import { lookup } from 'node:dns/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';

export interface ProbeResult {
  url: string;
  ok: boolean;
  /** OK, BAD_URL, DNS_FAILED, UNREACHABLE, TIMEOUT */
  code: string;
  ms: number;
  /** The server's Date header, when it sent one. */
  date?: string;
  detail: string;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`${what} timed out after ${ms} ms`), { code: 'ETIMEDOUT' })), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

function head(url: URL, timeoutMs: number): Promise<{ status: number; date?: string }> {
  return new Promise((resolve, reject) => {
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(
      url,
      { method: 'HEAD', timeout: timeoutMs, headers: { 'user-agent': 'tuanyuan-kiosk-health/1' } },
      (res) => {
        res.resume();
        const date = res.headers.date;
        resolve({ status: res.statusCode ?? 0, date: typeof date === 'string' ? date : undefined });
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end();
  });
}

export async function probeEndpoint(raw: string, timeoutMs = 3000): Promise<ProbeResult> {
  const started = Date.now();
  const done = (ok: boolean, code: string, detail: string, date?: string): ProbeResult => ({ url: raw, ok, code, ms: Date.now() - started, detail, date });
  let url: URL;
  try {
    url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    return done(false, 'BAD_URL', 'not an http(s) URL');
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!isIP(host)) {
    try {
      await withTimeout(lookup(host), timeoutMs, 'DNS');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code === 'ETIMEDOUT' ? 'TIMEOUT' : 'DNS_FAILED';
      return done(false, code, `${host}: ${(e as Error).message}`);
    }
  }
  try {
    const r = await withTimeout(head(url, timeoutMs), timeoutMs + 200, 'HEAD');
    return done(true, 'OK', `${url.host} answered ${r.status}`, r.date);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code === 'ETIMEDOUT' ? 'TIMEOUT' : 'UNREACHABLE';
    return done(false, code, `${url.host}: ${(e as Error).message}`);
  }
}
