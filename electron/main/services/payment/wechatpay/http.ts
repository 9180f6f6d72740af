// The signed transport: one WeChat Pay APIv3 call = sign the exact bytes we send, read the answer
// as bytes, verify its signature against the configured WeChat keys, then parse JSON.
// undici with explicit timeouts; Accept and User-Agent always set (WeChat rejects requests without).
import type { KeyObject } from 'node:crypto';
import { request, type Dispatcher } from 'undici';
import { logger } from '../../../infra/log';
import { PaymentError } from '../types';
import type { WeChatPayCredentials } from './credentials';
import { networkError, signatureError, weChatError } from './errors';
import { signRequest, verifyWechatpaySignature } from './signing';

const log = logger('wechatpay');
const MAX_RESPONSE_BYTES = 1 << 20;
export const USER_AGENT = 'tuanyuan-kiosk/0.1 (WeChatPay-APIv3; undici; Node.js)';

export interface WeChatPayHttpOptions {
  endpoint: string;
  credentials: WeChatPayCredentials;
  timeoutMs?: number;
  userAgent?: string;
  dispatcher?: Dispatcher;
  /** Clock used for signing and for the ±300 s window; tests move it. */
  now?: () => number;
}

export interface WeChatPayAnswer<T = unknown> {
  status: number;
  data: T | null;
  requestId?: string;
}

export class WeChatPayHttp {
  private readonly base: string;
  private readonly now: () => number;

  constructor(private readonly opts: WeChatPayHttpOptions) {
    this.base = opts.endpoint.replace(/\/+$/, '');
    this.now = opts.now ?? Date.now;
  }

  /**
   * Sends one signed request and returns the raw answer without judging it: the caller verifies.
   * Only the certificate download needs this (it verifies with the certificates it downloads).
   */
  async callRaw(method: 'GET' | 'POST', path: string, body?: unknown): Promise<RawAnswer> {
    const { credentials: c } = this.opts;
    const bodyText = body === undefined ? '' : JSON.stringify(body);
    const url = new URL(this.base + path);
    const canonicalUrl = url.pathname + url.search;
    const signed = signRequest({
      method,
      canonicalUrl,
      body: bodyText,
      mchid: c.mchid,
      serialNo: c.merchantSerial,
      privateKey: c.privateKey,
      now: this.now(),
    });
    const headers: Record<string, string> = {
      accept: 'application/json',
      'user-agent': this.opts.userAgent ?? USER_AGENT,
      authorization: signed.authorization,
    };
    if (bodyText) headers['content-type'] = 'application/json';
    // Public-key mode: tell WeChat which key to answer with (notes A2).
    if (c.wechatpaySerial) headers['wechatpay-serial'] = c.wechatpaySerial;

    const timeoutMs = this.opts.timeoutMs ?? 10_000;
    const started = Date.now();
    try {
      const res = await request(url, {
        method,
        headers,
        body: bodyText || undefined,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        signal: AbortSignal.timeout(timeoutMs + 1000),
        dispatcher: this.opts.dispatcher,
      });
      const raw = await readLimited(res.body);
      const h = (name: string) => {
        const v = res.headers[name];
        return Array.isArray(v) ? v[0] : v;
      };
      return {
        status: res.statusCode,
        raw,
        header: h,
        requestId: h('request-id'),
        ms: Date.now() - started,
        pathname: url.pathname,
      };
    } catch (e) {
      log.warn('wechatpay_network_error', { method, path: url.pathname, error: (e as Error).message, ms: Date.now() - started });
      throw networkError(e);
    }
  }

  /**
   * Sends one request. `path` is the API path with its query, already URL-encoded.
   * Resolves for 2xx with a verified body; throws PaymentError (with its action) otherwise.
   */
  async call<T>(method: 'GET' | 'POST', path: string, body?: unknown, context: 'trade' | 'refund' = 'trade'): Promise<WeChatPayAnswer<T>> {
    const a = await this.callRaw(method, path, body);
    return this.judge<T>(method, a, this.opts.credentials.verifierKeys, context);
  }

  /** Verifies and parses an answer (see call); exposed for the certificate download. */
  judge<T>(method: string, a: RawAnswer, keys: ReadonlyMap<string, KeyObject>, context: 'trade' | 'refund' = 'trade'): WeChatPayAnswer<T> {
    const { status, raw, requestId, pathname } = a;
    const signaturePresent = !!a.header('wechatpay-signature');
    const ok2xx = status >= 200 && status < 300;

    // 2xx must verify. Error answers are verified when signed; an unsigned one (WeChat does not
    // always sign errors) is used only for classification and marked unverified.
    let verified = false;
    if (ok2xx || signaturePresent) {
      const v = verifyWechatpaySignature(
        {
          timestamp: a.header('wechatpay-timestamp'),
          nonce: a.header('wechatpay-nonce'),
          signature: a.header('wechatpay-signature'),
          serial: a.header('wechatpay-serial'),
        },
        raw,
        keys,
        this.now(),
      );
      if (!v.ok) {
        log.warn('wechatpay_response_unverified', { method, path: pathname, status, reason: v.reason, requestId });
        throw signatureError(v.reason, requestId);
      }
      verified = true;
    }
    log.info('wechatpay_call', { method, path: pathname, status, requestId, ms: a.ms });

    let data: unknown = null;
    if (raw.length > 0) {
      try {
        data = JSON.parse(raw.toString('utf8'));
      } catch {
        if (ok2xx) throw new PaymentError('BAD_RESPONSE', '微信支付应答格式错误', 'retry');
      }
    }
    if (ok2xx) return { status, data: data as T, requestId };
    const code = data && typeof data === 'object' && typeof (data as { code?: unknown }).code === 'string' ? (data as { code: string }).code : undefined;
    const e = weChatError(status, code, requestId, context);
    Object.assign(e, { verified });
    log.warn('wechatpay_error', { method, path: pathname, status, code: e.code, action: e.action, requestId, verified });
    throw e;
  }
}

export interface RawAnswer {
  status: number;
  raw: Buffer;
  header(name: string): string | undefined;
  requestId?: string;
  ms: number;
  pathname: string;
}

async function readLimited(body: AsyncIterable<Buffer | Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_RESPONSE_BYTES) throw new Error('response too large');
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}
