// Alipay OpenAPI RSA2 (SHA256withRSA) signing and verification, as the gateway defines it:
//  - request:      every parameter except `sign`, with a non-empty value, sorted by key (ASCII),
//                  joined as k=v&k=v with raw (not URL-encoded) values; RSA PKCS#1 v1.5 + SHA-256, Base64;
//  - response:     the signed content is the raw JSON text of the `<method>_response` (or `error_response`)
//                  node exactly as it appears in the body, never re-serialised; `sign` sits beside it;
//  - notification: form-encoded; every parameter except `sign` AND `sign_type`, sorted, joined as above.
// Checked against the official npm `alipay-sdk` in signing.test.ts.
import { createSign, createVerify, type KeyObject } from 'node:crypto';

/** The string to sign: sorted k=v pairs, empty values and the excluded keys left out. */
export function signContent(params: Record<string, string | undefined>, exclude: readonly string[] = ['sign']): string {
  return Object.keys(params)
    .filter((k) => !exclude.includes(k) && params[k] !== undefined && params[k] !== '')
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join('&');
}

export function rsa2Sign(content: string, privateKey: KeyObject): string {
  return createSign('RSA-SHA256').update(content, 'utf8').sign(privateKey, 'base64');
}

export function rsa2Verify(content: string, signature: string, publicKey: KeyObject): boolean {
  try {
    return createVerify('RSA-SHA256').update(content, 'utf8').verify(publicKey, signature, 'base64');
  } catch {
    return false;
  }
}

/** Signs a request's parameters: returns them with `sign` added (sign_type must already be in them). */
export function signRequest(params: Record<string, string>, privateKey: KeyObject): Record<string, string> {
  return { ...params, sign: rsa2Sign(signContent(params), privateKey) };
}

export interface ResponseNode {
  /** The node's name, e.g. alipay_trade_query_response or error_response. */
  name: string;
  /** Its raw JSON text: what the signature covers. */
  raw: string;
  sign?: string;
  /** Certificate mode: the serial of the Alipay certificate that signed it. */
  certSn?: string;
}

/**
 * Finds `"<name>":{…}` in the raw body and returns its exact text. The extent is found by scanning
 * braces outside strings, so keys in any order, escaped quotes and nested objects are handled.
 */
export function extractNode(body: string, name: string): string | null {
  const key = `"${name}"`;
  let at = -1;
  // The key must be a top-level key: depth 1 in the body.
  let depth = 0;
  let inStr = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (inStr) {
      if (c === '\\') i++;
      else if (c === '"') inStr = false;
      continue;
    }
    if (c === '"') {
      if (depth === 1 && body.startsWith(key, i)) {
        let j = i + key.length;
        while (/\s/.test(body[j] ?? '')) j++;
        if (body[j] === ':') {
          at = j + 1;
          break;
        }
      }
      inStr = true;
    } else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
  }
  if (at < 0) return null;
  while (/\s/.test(body[at] ?? '')) at++;
  if (body[at] !== '{') return null;
  depth = 0;
  inStr = false;
  for (let i = at; i < body.length; i++) {
    const c = body[i];
    if (inStr) {
      if (c === '\\') i++;
      else if (c === '"') inStr = false;
      continue;
    }
    if (c === '"') inStr = true;
    else if (c === '{') depth++;
    else if (c === '}') {
      depth--;
      if (depth === 0) return body.slice(at, i + 1);
    }
  }
  return null;
}

/** `alipay.trade.query` → `alipay_trade_query_response`. */
export const responseNodeName = (method: string): string => `${method.replace(/\./g, '_')}_response`;

/** Splits a gateway answer into the signed node (method's or error_response) and its signature. */
export function responseNode(body: string, method: string): ResponseNode | null {
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(body) as Record<string, unknown>;
  } catch {
    return null;
  }
  for (const name of [responseNodeName(method), 'error_response']) {
    const raw = extractNode(body, name);
    if (raw === null) continue;
    return {
      name,
      raw,
      sign: typeof parsed.sign === 'string' ? parsed.sign : undefined,
      certSn: typeof parsed.alipay_cert_sn === 'string' ? parsed.alipay_cert_sn : undefined,
    };
  }
  return null;
}

/** Verifies an asynchronous notification (form fields as received, already URL-decoded). */
export function verifyNotification(form: Record<string, string>, publicKey: KeyObject): boolean {
  if (!form.sign) return false;
  if (form.sign_type && form.sign_type !== 'RSA2') return false;
  return rsa2Verify(signContent(form, ['sign', 'sign_type']), form.sign, publicKey);
}

/** Alipay's timestamp: "yyyy-MM-dd HH:mm:ss" in China Standard Time (GMT+8). */
export function alipayTimestamp(d: Date): string {
  const t = new Date(d.getTime() + 8 * 3600_000).toISOString();
  return `${t.slice(0, 10)} ${t.slice(11, 19)}`;
}

/** Parses an Alipay timestamp (GMT+8) back to a Date; undefined when malformed. */
export function parseAlipayTimestamp(s: string | undefined): Date | undefined {
  if (!s || !/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(s)) return undefined;
  const d = new Date(`${s.replace(' ', 'T')}+08:00`);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** Amounts travel as yuan strings with at most two decimals ("19.90"); the kiosk counts fen. */
export function fenToYuan(fen: number): string {
  if (!Number.isSafeInteger(fen) || fen < 0) throw new Error('amount must be whole fen ≥ 0');
  return `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
}

export function yuanToFen(yuan: string | undefined): number | undefined {
  if (typeof yuan !== 'string') return undefined;
  const m = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(yuan.trim());
  if (!m) return undefined;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}
