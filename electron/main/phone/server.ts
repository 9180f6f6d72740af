// The phone listener: the only thing reachable from the mall LAN (opt-in; loopback by default).
// It serves the small phone pages (download, upload for absent relatives, simulated payment) and
// their JSON, each guarded by a capability token (≥128 bit, single purpose, expiring). Nothing of
// the kiosk API is here.
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CardDraft, cardMessageProblem, type CardMessageProblem } from '../../shared/cards';
import { STATES } from '../../shared/orderStates';
import { phoneEndpoints, type DownloadInfo, type PhoneEndpoint, type PhoneOutput } from '../../shared/phoneApi';
import { KioskFailure, toKioskError } from '../../shared/result';
import { baseHeaders, CSP, readBody, RequestNoise, safeDecode, sendJson as json, serveFile } from '../infra/http';
import { logger } from '../infra/log';
import { mimeOf } from '../infra/mime';
import type { CardService } from '../services/cards';
import type { OrdersRepo } from '../services/orders/repo';
import type { SessionFlow } from '../services/orders/session';
import { orderCode } from '../services/orders/view';
import type { ShareStore } from '../services/share/types';
import type { LanShare } from '../services/share/lan';
import type { SimulatedPayment } from '../services/payment/simulated';

const log = logger('phone');

export interface PhoneServerDeps {
  repo: OrdersRepo;
  session: SessionFlow;
  share: ShareStore;
  /** Present when the LAN share serves files itself. */
  lanShare: LanShare | null;
  /** Present when the simulated payment page is in use. */
  simPayment: SimulatedPayment | null;
  rendererDir: string;
  blessing: () => string;
  /** The operator's after-sales contact, read on each visit (the admin screen changes it live). */
  afterSalesContact?: () => string;
  uploadMaxBytes: number;
  /** Greeting cards (paid orders); absent: no card on the download page. */
  cards?: CardService | null;
  /** The listener's public base URL (what the QR codes point at): card links and their previews are absolute. */
  publicBaseUrl?: () => string;
  /** Link lifetime for photo/video URLs handed to the page (re-signed on every visit). */
  fileUrlTtlSec?: number;
}

/** A small fixed-window limiter: uploads per client address per minute. */
class RateLimiter {
  private readonly hits = new Map<string, { start: number; n: number }>();
  constructor(
    private readonly max: number,
    private readonly windowMs: number,
  ) {}
  allow(key: string, now = Date.now()): boolean {
    const h = this.hits.get(key);
    if (!h || now - h.start > this.windowMs) {
      this.hits.set(key, { start: now, n: 1 });
      if (this.hits.size > 10_000) this.hits.clear();
      return true;
    }
    h.n++;
    return h.n <= this.max;
  }
}

/** Photos one upload QR code may send (a family's absent relatives, a few tries each). */
export const PER_TOKEN_UPLOADS = 12;

export class PhoneServer {
  private server: Server | null = null;
  private readonly uploadLimiter = new RateLimiter(10, 60_000);
  /** Drawing a card takes a moment of the kiosk's CPU: a few per minute per phone is plenty. */
  private readonly cardLimiter = new RateLimiter(12, 60_000);
  private readonly noise = new RequestNoise(log);

  constructor(private readonly deps: PhoneServerDeps) {}

  async listen(host: string, port: number): Promise<number> {
    const server = createServer((req, res) => {
      this.route(req, res).catch((e) => {
        log.error('phone.request_failed', { path: req.url?.split('?')[0], error: e as Error });
        if (!res.headersSent) json(res, 500, { ok: false, error: toKioskError(e) });
        else res.end();
      });
    });
    server.requestTimeout = 60_000;
    server.headersTimeout = 15_000;
    await new Promise<void>((ok, fail) => {
      server.once('error', fail);
      server.listen(port, host, () => ok());
    });
    this.server = server;
    return (server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (s) await new Promise<void>((r) => s.close(() => r()));
    s?.closeAllConnections();
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://phone.invalid');
    const path = url.pathname;
    baseHeaders(res);
    res.setHeader('Cache-Control', 'no-store');

    let m: RegExpMatchArray | null;
    if (req.method === 'GET' && /^\/p\/(pay|download|upload)\/[A-Za-z0-9_-]{16,64}$/.test(path)) {
      return this.page(res);
    }
    if (req.method === 'GET' && path.startsWith('/assets/')) return this.staticFile(res, path);
    if ((m = path.match(/^\/p\/api\/pay\/([A-Za-z0-9_-]{16,64})(\/confirm)?$/))) return this.pay(req, res, m[1]!, !!m[2]);
    if ((m = path.match(/^\/p\/api\/download\/([A-Za-z0-9_-]{16,64})$/)) && req.method === 'GET') return this.download(res, m[1]!);
    if ((m = path.match(/^\/p\/api\/upload\/([A-Za-z0-9_-]{16,64})$/))) return this.upload(req, res, m[1]!);
    if ((m = path.match(/^\/p\/api\/card\/([A-Za-z0-9_-]{16,64})$/))) return this.saveCard(req, res, m[1]!);
    if ((m = path.match(/^\/p\/card\/([A-Za-z0-9_-]{16,64})(?:\/(card|thumb)\.jpg)?$/)) && (req.method === 'GET' || req.method === 'HEAD')) {
      return this.cardPage(res, m[1]!, (m[2] as 'card' | 'thumb' | undefined) ?? null);
    }
    if ((m = path.match(/^\/p\/file\/(.+)$/)) && req.method === 'GET') {
      const key = safeDecode(m[1]!);
      if (key === null) {
        // A malformed escape (%E0%A4%A): the client's mistake, answered 400 and counted, not logged each time.
        this.noise.note('malformed_url');
        return json(res, 400, fail('BAD_REQUEST', '链接有误'));
      }
      return this.file(req, res, key, url.searchParams.get('exp'), url.searchParams.get('sig'));
    }
    json(res, 404, { ok: false, error: { code: 'NOT_FOUND', message: '页面不存在', retryable: false } });
  }

  private page(res: ServerResponse): void {
    serveFile(res, this.deps.rendererDir, '/phone.html', {
      cache: 'no-store',
      headers: { 'Content-Security-Policy': CSP.phone },
      status404: 503,
      notFoundText: '页面尚未构建 (run npm run build)',
    });
  }

  private staticFile(res: ServerResponse, path: string): void {
    serveFile(res, this.deps.rendererDir, path, { cache: 'public, max-age=86400' });
  }

  private async pay(req: IncomingMessage, res: ServerResponse, token: string, confirm: boolean): Promise<void> {
    const sim = this.deps.simPayment;
    if (!sim) return json(res, 404, fail('NOT_FOUND', '页面不存在'));
    if (confirm) {
      if (req.method !== 'POST') return json(res, 405, fail('METHOD', '请求方式错误'));
      const state = sim.confirm(token);
      if (!state) return json(res, 404, fail('TOKEN_EXPIRED', '二维码已失效'));
      if (state === 'CLOSED') return json(res, 409, fail('ORDER_CLOSED', '订单已关闭，请回到屏幕前重新下单'));
      return answer(res, 'payConfirm', { state });
    }
    const info = sim.describe(token);
    if (!info) return json(res, 404, fail('TOKEN_EXPIRED', '二维码已失效'));
    return answer(res, 'payInfo', info);
  }

  private async download(res: ServerResponse, token: string): Promise<void> {
    const t = this.deps.repo.liveToken(token, 'download');
    if (!t) return json(res, 404, fail('TOKEN_EXPIRED', '链接已过期或不存在'));
    this.deps.repo.useToken(token);
    const shareKey = this.deps.repo.order(t.order_id)?.share_key;
    const photo = this.deps.repo.deliverable(t.order_id, 'photo');
    const motion = this.deps.repo.deliverable(t.order_id, 'motion');
    const ttl = this.deps.fileUrlTtlSec ?? 3600;
    const ready = photo?.status === 'done' && !!shareKey;
    const contact = this.deps.afterSalesContact?.().trim();
    const value: DownloadInfo = { ready, blessing: this.deps.blessing(), expiresAt: t.expires_at, orderCode: orderCode(t.order_id), cardAllowed: false };
    if (contact) value.afterSalesContact = contact;
    const cards = this.deps.cards;
    value.cardAllowed = !!cards && cards.allowed(t.order_id);
    const card = cards?.store.ofOrder(t.order_id);
    if (cards && card && value.cardAllowed) value.card = cards.info(card, this.base());
    if (ready && shareKey) {
      // URLs are signed afresh on every visit, so the page works for the whole retention period.
      value.photoUrl = await this.deps.share.url(`${shareKey}/photo.jpg`, ttl);
      if (motion?.status === 'done') {
        value.motionUrl = await this.deps.share.url(`${shareKey}/living.mp4`, ttl);
        const kinds = new Set(this.deps.repo.assetsOf(t.order_id).map((a) => a.kind));
        if (kinds.has('livephoto_jpg') && kinds.has('livephoto_mov')) {
          value.livePhoto = {
            jpgUrl: await this.deps.share.url(`${shareKey}/live.jpg`, ttl),
            movUrl: await this.deps.share.url(`${shareKey}/live.mov`, ttl),
          };
        }
      } else if (motion?.status === 'pending' || motion?.status === 'working') value.motionPending = true;
    }
    return answer(res, 'download', value);
  }

  private async upload(req: IncomingMessage, res: ServerResponse, token: string): Promise<void> {
    const t = this.deps.repo.liveToken(token, 'upload');
    if (!t) {
      req.resume();
      return json(res, 404, fail('TOKEN_EXPIRED', '二维码已过期，请在屏幕上重新生成'));
    }
    const order = this.deps.repo.order(t.order_id);
    if (!order || !STATES[order.state].takesPhotos) {
      req.resume();
      return json(res, 410, fail('TOKEN_EXPIRED', '拍摄环节已结束，无法再上传'));
    }
    if (req.method === 'GET') return answer(res, 'uploadInfo', { expiresAt: t.expires_at });
    if (req.method !== 'POST') return json(res, 405, fail('METHOD', '请求方式错误'));
    const client = req.socket.remoteAddress ?? '?';
    if (!this.uploadLimiter.allow(client)) {
      req.resume();
      return json(res, 429, fail('RATE_LIMITED', '上传太频繁了，请稍后再试'));
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > this.deps.uploadMaxBytes) {
      req.resume();
      return json(res, 413, fail('TOO_LARGE', '照片太大了（最大 10 MB）'));
    }
    // The slot is claimed in one statement before the body is read: uploads arriving at once
    // cannot together pass the token's limit (a check-then-count would let them all through).
    if (!this.deps.repo.claimTokenUse(token, 'upload', PER_TOKEN_UPLOADS)) {
      req.resume();
      return json(res, 429, fail('RATE_LIMITED', '这个二维码的上传次数已用完，请在屏幕上重新生成'));
    }
    const body = await readBody(req, this.deps.uploadMaxBytes);
    if (!body) return json(res, 413, fail('TOO_LARGE', '照片太大了（最大 10 MB）'));
    try {
      // Type is judged by content inside the checks (magic bytes), never by the name or header.
      const view = await this.deps.session.addPhoto(t.order_id, body, 'phone');
      const photo = view.photos[view.photos.length - 1];
      return answer(res, 'upload', { ok: photo?.ok ?? false, reasons: photo?.reasons ?? [] });
    } catch (e) {
      const error = toKioskError(e);
      if (e instanceof KioskFailure) return answer(res, 'upload', { ok: false, reasons: [{ code: error.code, message: error.message }] });
      throw e;
    }
  }

  private base(): string {
    return (this.deps.publicBaseUrl?.() ?? '').replace(/\/$/, '');
  }

  /** The family's card: template and message from the download page (its token), drawn and kept. */
  private async saveCard(req: IncomingMessage, res: ServerResponse, token: string): Promise<void> {
    if (req.method !== 'POST') {
      req.resume();
      return json(res, 405, fail('METHOD', '请求方式错误'));
    }
    const cards = this.deps.cards;
    const t = this.deps.repo.liveToken(token, 'download');
    if (!cards || !t) {
      req.resume();
      return json(res, 404, fail('TOKEN_EXPIRED', '链接已过期或不存在'));
    }
    if (!this.cardLimiter.allow(req.socket.remoteAddress ?? '?')) {
      req.resume();
      return json(res, 429, fail('RATE_LIMITED', '操作太频繁了，请稍后再试'));
    }
    const body = await readBody(req, 4096);
    let raw: unknown;
    try {
      raw = body ? JSON.parse(body.toString('utf8')) : undefined;
    } catch {
      raw = undefined;
    }
    const parsed = CardDraft.safeParse(raw);
    if (!parsed.success) {
      const msg = (raw as { message?: unknown } | undefined)?.message;
      const problem = (typeof msg === 'string' ? cardMessageProblem(msg) : 'empty') ?? 'template';
      return json(res, 400, fail('CARD_MESSAGE', CARD_PROBLEM_TEXT[problem]));
    }
    try {
      const row = await cards.save(t.order_id, parsed.data);
      return answer(res, 'cardSave', cards.info(row, this.base()));
    } catch (e) {
      if (e instanceof KioskFailure) return json(res, 409, { ok: false, error: toKioskError(e) });
      throw e;
    }
  }

  /** The card's shareable page (HTML with the preview meta tags), its image and thumbnail. */
  private cardPage(res: ServerResponse, token: string, file: 'card' | 'thumb' | null): void {
    const found = this.deps.cards?.files(token);
    if (!found) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('贺卡已过期或不存在');
      return;
    }
    if (file) {
      const data = readFileSync(file === 'card' ? found.card : found.thumb);
      res.writeHead(200, { 'Content-Type': 'image/jpeg', 'Content-Length': data.length }).end(data);
      return;
    }
    const html = this.deps.cards!.pageHtml(found.row, this.base());
    res
      .writeHead(200, {
        'Content-Type': 'text/html; charset=utf-8',
        // A static page: no script at all; images from this listener only.
        'Content-Security-Policy': "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
      })
      .end(html);
  }

  private file(req: IncomingMessage, res: ServerResponse, key: string, exp: string | null, sig: string | null): void {
    const lan = this.deps.lanShare;
    const file = lan?.resolveSigned(key, exp, sig);
    if (!file) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('链接已过期或不存在');
      return;
    }
    const size = statSync(file).size;
    const type = mimeOf(file);
    // Range support: iOS Safari will not play a video without it.
    const range = req.headers.range?.match(/^bytes=(\d*)-(\d*)$/);
    if (range) {
      const start = range[1] ? Number(range[1]) : Math.max(0, size - Number(range[2]));
      const end = range[1] && range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
      if (start > end || start >= size) {
        res.writeHead(416, { 'Content-Range': `bytes */${size}` }).end();
        return;
      }
      res.writeHead(206, { 'Content-Type': type, 'Content-Length': end - start + 1, 'Content-Range': `bytes ${start}-${end}/${size}`, 'Accept-Ranges': 'bytes' });
      createReadStream(file, { start, end }).pipe(res);
      return;
    }
    res.writeHead(200, { 'Content-Type': type, 'Content-Length': size, 'Accept-Ranges': 'bytes' });
    createReadStream(file).pipe(res);
  }
}

/**
 * A successful answer, checked against the phone API's zod schema before it leaves: an answer the
 * page could not read is a bug here, logged and turned into a clear error instead of sent.
 */
function answer<E extends PhoneEndpoint>(res: ServerResponse, endpoint: E, value: PhoneOutput<E>): void {
  const parsed = phoneEndpoints[endpoint].output.safeParse(value);
  if (!parsed.success) {
    log.error('phone.bad_answer', { endpoint, issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) });
    return json(res, 500, fail('INTERNAL', '系统开小差了，请稍后再试'));
  }
  json(res, 200, { ok: true, value: parsed.data });
}

/** What the phone says when a card message cannot be used (the page checks the same rule first). */
const CARD_PROBLEM_TEXT: Record<CardMessageProblem | 'template', string> = {
  empty: '请写一句祝福语',
  tooLong: '祝福语最多 40 个字',
  emoji: '贺卡暂不支持表情符号，请只用文字',
  control: '祝福语里有无法显示的字符',
  template: '请选择贺卡样式',
};

function fail(code: string, message: string) {
  return { ok: false, error: { code, message, retryable: false } };
}

