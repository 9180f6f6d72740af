// Volcengine "V4" request signing (HMAC-SHA256), shared by the client and the simulator that
// verifies it. Layout: ../shared/protocols/jimeng.md §1. Pure node:crypto, no state.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const EMPTY_BODY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export interface SignInput {
  method: string;
  /** Host header value as sent (":443"/":80" are dropped for signing). */
  host: string;
  path?: string;
  query: Record<string, string>;
  /** Headers to sign besides host, x-date and x-content-sha256 (e.g. content-type). Names any case. */
  headers?: Record<string, string>;
  body: Buffer | string;
  accessKey: string;
  secretKey: string;
  region: string;
  service: string;
  /** YYYYMMDD'T'HHMMSS'Z' */
  xDate: string;
}

export interface Signed {
  /** Every header to send: the signed ones plus Authorization. */
  headers: Record<string, string>;
  authorization: string;
  signedHeaders: string;
  bodySha256: string;
  canonicalRequestSha256: string;
  signature: string;
}

const sha256Hex = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/** RFC 3986 encoding: unreserved A-Za-z0-9-_.~ stay, everything else %XX (space → %20, never "+"). */
export function rfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function canonicalQuery(query: Record<string, string>): string {
  return Object.keys(query)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((k) => `${rfc3986(k)}=${rfc3986(query[k] ?? '')}`)
    .join('&');
}

function canonicalPath(path: string): string {
  if (!path || path === '/') return '/';
  return path
    .split('/')
    .map((seg) => rfc3986(decodeURIComponent(seg)))
    .join('/');
}

export function normaliseHost(host: string): string {
  return host.replace(/:(80|443)$/, '');
}

/** The X-Date format: 20201230T081805Z. */
export function xDateOf(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

export function signingKey(secretKey: string, shortDate: string, region: string, service: string): Buffer {
  const kDate = hmac(Buffer.from(secretKey, 'utf8'), shortDate);
  const kRegion = hmac(kDate, region);
  const kService = hmac(kRegion, service);
  return hmac(kService, 'request');
}

/**
 * Canonical request + signature over a given header set. `headers` must contain every name in
 * `signedNames` (lowercase). Exposed separately so the simulator can rebuild a client's signature
 * from the client's own SignedHeaders list.
 */
export function computeSignature(args: {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  signedNames: string[];
  bodySha256: string;
  secretKey: string;
  region: string;
  service: string;
  xDate: string;
}): { signature: string; canonicalRequestSha256: string; scope: string } {
  const names = [...args.signedNames].map((n) => n.toLowerCase()).sort();
  const canonicalHeaders = names
    .map((n) => {
      let v = (args.headers[n] ?? '').trim().replace(/\s+/g, ' ');
      if (n === 'host') v = normaliseHost(v);
      return `${n}:${v}\n`;
    })
    .join('');
  const canonicalRequest = [
    args.method.toUpperCase(),
    canonicalPath(args.path),
    canonicalQuery(args.query),
    canonicalHeaders,
    names.join(';'),
    args.bodySha256,
  ].join('\n');
  const canonicalRequestSha256 = sha256Hex(canonicalRequest);
  const shortDate = args.xDate.slice(0, 8);
  const scope = `${shortDate}/${args.region}/${args.service}/request`;
  const stringToSign = ['HMAC-SHA256', args.xDate, scope, canonicalRequestSha256].join('\n');
  const signature = createHmac('sha256', signingKey(args.secretKey, shortDate, args.region, args.service))
    .update(stringToSign, 'utf8')
    .digest('hex');
  return { signature, canonicalRequestSha256, scope };
}

/** Signs host, x-date, x-content-sha256 and the extra headers given (content-type for Jimeng). */
export function signRequest(input: SignInput): Signed {
  const bodySha256 = sha256Hex(input.body);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.headers ?? {})) headers[k.toLowerCase()] = v;
  headers['host'] = normaliseHost(input.host);
  headers['x-date'] = input.xDate;
  headers['x-content-sha256'] = bodySha256;
  const signedNames = Object.keys(headers).sort();
  const { signature, canonicalRequestSha256, scope } = computeSignature({
    method: input.method,
    path: input.path ?? '/',
    query: input.query,
    headers,
    signedNames,
    bodySha256,
    secretKey: input.secretKey,
    region: input.region,
    service: input.service,
    xDate: input.xDate,
  });
  const signedHeaders = signedNames.join(';');
  const authorization = `HMAC-SHA256 Credential=${input.accessKey}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return { headers: { ...headers, authorization }, authorization, signedHeaders, bodySha256, canonicalRequestSha256, signature };
}

export interface ParsedAuthorization {
  accessKey: string;
  shortDate: string;
  region: string;
  service: string;
  signedNames: string[];
  signature: string;
}

/** Parses `HMAC-SHA256 Credential=AK/date/region/service/request, SignedHeaders=a;b, Signature=hex` (unknown elements ignored). */
export function parseAuthorization(value: string | undefined): ParsedAuthorization | null {
  if (!value) return null;
  const m = /^HMAC-SHA256\s+(.*)$/.exec(value.trim());
  if (!m?.[1]) return null;
  const parts = new Map<string, string>();
  for (const el of m[1].split(',')) {
    const eq = el.indexOf('=');
    if (eq > 0) parts.set(el.slice(0, eq).trim(), el.slice(eq + 1).trim());
  }
  const cred = parts.get('Credential')?.split('/');
  const signedNames = parts.get('SignedHeaders')?.split(';').filter(Boolean);
  const signature = parts.get('Signature');
  if (!cred || cred.length !== 5 || cred[4] !== 'request' || !signedNames?.length || !signature) return null;
  const [accessKey, shortDate, region, service] = cred as [string, string, string, string, string];
  return { accessKey, shortDate, region, service, signedNames, signature };
}

/** Constant-time comparison of two hex signatures. */
export function sameSignature(a: string, b: string): boolean {
  const ba = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}

export function sha256OfBody(body: Buffer | string): string {
  return sha256Hex(body);
}
