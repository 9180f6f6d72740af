// WECHATPAY2-SHA256-RSA2048: the request signature the kiosk sends and the response/notification
// signature it checks. Pure functions over exact bytes: the caller signs the string it sends and
// verifies the raw body it received, never a re-serialised copy (protocol notes A2).
import { createSign, createVerify, randomBytes, type KeyObject } from 'node:crypto';

export const AUTH_SCHEME = 'WECHATPAY2-SHA256-RSA2048';
/** WeChat rejects (and we reject) timestamps more than this far from the local clock. */
export const MAX_CLOCK_SKEW_S = 300;

/** `METHOD\nCANONICAL_URL\nTIMESTAMP\nNONCE\nBODY\n` — every line ends with \n, the last too. */
export function requestMessage(method: string, canonicalUrl: string, timestamp: number | string, nonce: string, body = ''): string {
  return `${method.toUpperCase()}\n${canonicalUrl}\n${timestamp}\n${nonce}\n${body}\n`;
}

/** `TIMESTAMP\nNONCE\nRAW_BODY\n`; a 204 has an empty body line. */
export function responseMessage(timestamp: number | string, nonce: string, body: string | Buffer = ''): Buffer {
  const b = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return Buffer.concat([Buffer.from(`${timestamp}\n${nonce}\n`, 'utf8'), b, Buffer.from('\n')]);
}

export function rsaSign(message: string | Buffer, privateKey: KeyObject): string {
  return createSign('RSA-SHA256').update(message).sign(privateKey, 'base64');
}

export function rsaVerify(message: string | Buffer, signatureB64: string, publicKey: KeyObject): boolean {
  try {
    return createVerify('RSA-SHA256').update(message).verify(publicKey, signatureB64, 'base64');
  } catch {
    // A malformed key or signature is a failed verification, not a crash.
    return false;
  }
}

/** 32 hex characters, as the notes suggest. */
export function newNonce(): string {
  return randomBytes(16).toString('hex');
}

export function unixSeconds(now: number = Date.now()): number {
  return Math.floor(now / 1000);
}

export interface AuthorizationFields {
  mchid: string;
  nonce_str: string;
  timestamp: string;
  serial_no: string;
  signature: string;
}

export function formatAuthorization(f: AuthorizationFields): string {
  return `${AUTH_SCHEME} mchid="${f.mchid}",nonce_str="${f.nonce_str}",timestamp="${f.timestamp}",serial_no="${f.serial_no}",signature="${f.signature}"`;
}

/** Parses the Authorization header; the five fields may come in any order. Null when malformed. */
export function parseAuthorization(header: string | undefined | null): AuthorizationFields | null {
  if (!header || !header.startsWith(`${AUTH_SCHEME} `)) return null;
  const rest = header.slice(AUTH_SCHEME.length + 1);
  const fields = new Map<string, string>();
  const re = /\s*([a-z_]+)="([^"]*)"\s*(?:,|$)/gy;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(rest)) !== null) {
    const key = m[1] ?? '';
    if (fields.has(key)) return null;
    fields.set(key, m[2] ?? '');
    consumed = re.lastIndex;
    if (consumed >= rest.length) break;
  }
  if (consumed !== rest.length) return null;
  const get = (k: string) => fields.get(k);
  const mchid = get('mchid');
  const nonce = get('nonce_str');
  const ts = get('timestamp');
  const serial = get('serial_no');
  const sig = get('signature');
  if (!mchid || !nonce || !ts || !serial || !sig) return null;
  return { mchid, nonce_str: nonce, timestamp: ts, serial_no: serial, signature: sig };
}

export interface SignedRequestHeaders {
  authorization: string;
  timestamp: number;
  nonce: string;
}

/** Builds the Authorization header for one request. `canonicalUrl` is path + `?query`, exactly as sent. */
export function signRequest(opts: {
  method: string;
  canonicalUrl: string;
  body: string;
  mchid: string;
  serialNo: string;
  privateKey: KeyObject;
  now?: number;
  nonce?: string;
}): SignedRequestHeaders {
  const timestamp = unixSeconds(opts.now);
  const nonce = opts.nonce ?? newNonce();
  const signature = rsaSign(requestMessage(opts.method, opts.canonicalUrl, timestamp, nonce, opts.body), opts.privateKey);
  return {
    authorization: formatAuthorization({
      mchid: opts.mchid,
      nonce_str: nonce,
      timestamp: String(timestamp),
      serial_no: opts.serialNo,
      signature,
    }),
    timestamp,
    nonce,
  };
}

export type VerifyFailure = 'MISSING_HEADERS' | 'UNKNOWN_SERIAL' | 'TIMESTAMP_SKEW' | 'BAD_SIGNATURE' | 'SIGNTEST_PROBE';

export interface WechatpayHeaders {
  timestamp?: string | null;
  nonce?: string | null;
  signature?: string | null;
  serial?: string | null;
}

/**
 * Checks a response or notification signature against the verifier keys (serial → public key).
 * Order of checks: headers present, probe marker, serial known, clock window, then RSA.
 */
export function verifyWechatpaySignature(
  h: WechatpayHeaders,
  rawBody: Buffer | string,
  keys: ReadonlyMap<string, KeyObject>,
  now: number = Date.now(),
): { ok: true; serial: string } | { ok: false; reason: VerifyFailure } {
  const { timestamp, nonce, signature, serial } = h;
  if (!timestamp || !nonce || !signature || !serial) return { ok: false, reason: 'MISSING_HEADERS' };
  if (signature.startsWith('WECHATPAY/SIGNTEST/')) return { ok: false, reason: 'SIGNTEST_PROBE' };
  const key = keys.get(serial);
  if (!key) return { ok: false, reason: 'UNKNOWN_SERIAL' };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'TIMESTAMP_SKEW' };
  if (Math.abs(unixSeconds(now) - Number(timestamp)) >= MAX_CLOCK_SKEW_S) return { ok: false, reason: 'TIMESTAMP_SKEW' };
  if (!rsaVerify(responseMessage(timestamp, nonce, rawBody), signature, key)) return { ok: false, reason: 'BAD_SIGNATURE' };
  return { ok: true, serial };
}
