// The browser host: the same services as the Electron host, behind HTTP + WebSocket on loopback.
// Used where Electron's binary is not available, for Chromium --kiosk deployments, and by the E2E
// tests. POST /api/<call> → Result JSON; WS /events → {event, payload}; GET /media/<assetId>.
import { createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { eventNames, isCallName } from '../shared/contract';
import { err } from '../shared/result';
import { dispatch } from '../main/ipc/handlers';
import { baseHeaders, CSP, readJson, RequestNoise, safeDecode, sendJson, serveFile } from '../main/infra/http';
import { logger } from '../main/infra/log';
import type { Kiosk } from '../main/app';

const log = logger('browser-host');

/** Calls carry at most a camera still in base64 (the contract caps it at 28 MB of text). */
const MAX_BODY = 30 * 1024 * 1024;

/** What the kiosk page may load: itself, its media, its WebSocket, the camera. */
export const KIOSK_CSP = CSP.browserKiosk;

export class BrowserHost {
  private server: Server | null = null;
  private wss: WebSocketServer | null = null;
  private port = 0;
  private readonly unsubscribe: (() => void)[] = [];
  private readonly noise = new RequestNoise(log);

  constructor(
    private readonly kiosk: Kiosk,
    private readonly opts: { rendererDir: string; samplesDir: string },
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/`;
  }

  async listen(port = 0): Promise<string> {
    const server = createServer((req, res) => {
      this.route(req, res).catch((e) => {
        log.error('request_failed', { path: req.url?.split('?')[0], error: e as Error });
        if (!res.headersSent) sendJson(res, 500, err('INTERNAL', '系统开小差了，请稍后再试', true));
        else res.end();
      });
    });
    const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
    server.on('upgrade', (req, socket, head) => {
      if (!this.sameOrigin(req) || new URL(req.url ?? '/', 'http://x').pathname !== '/events') {
        socket.destroy();
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    });
    for (const name of eventNames) {
      this.unsubscribe.push(
        this.kiosk.on(name, (payload) => {
          const msg = JSON.stringify({ event: name, payload });
          for (const client of wss.clients) if (client.readyState === 1) (client as WebSocket).send(msg);
        }),
      );
    }
    await new Promise<void>((ok, fail) => {
      server.once('error', fail);
      server.listen(port, '127.0.0.1', () => ok());
    });
    this.server = server;
    this.wss = wss;
    this.port = (server.address() as AddressInfo).port;
    return this.url;
  }

  async close(): Promise<void> {
    for (const u of this.unsubscribe.splice(0)) u();
    for (const c of this.wss?.clients ?? []) c.terminate();
    this.wss?.close();
    const s = this.server;
    this.server = null;
    if (s) {
      s.closeAllConnections();
      await new Promise<void>((r) => s.close(() => r()));
    }
  }

  /**
   * Only the page this host served may call it: the Host header must be our loopback address
   * (defeats DNS rebinding) and a browser's Origin, when sent, must be the same.
   */
  private sameOrigin(req: IncomingMessage): boolean {
    const hosts = [`127.0.0.1:${this.port}`, `localhost:${this.port}`];
    if (!hosts.includes(req.headers.host ?? '')) return false;
    const origin = req.headers.origin;
    return !origin || hosts.some((h) => origin === `http://${h}`);
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!this.sameOrigin(req)) {
      res.writeHead(403).end();
      return;
    }
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    baseHeaders(res);

    if (path.startsWith('/api/')) {
      if (req.method !== 'POST') return sendJson(res, 405, err('METHOD', '请求方式错误'));
      const name = safeDecode(path.slice('/api/'.length));
      // Unknown names (constructor, __proto__, toString…) are refused before the body is read.
      if (!isCallName(name)) {
        req.resume();
        this.noise.note('unknown_call');
        return sendJson(res, 404, err('UNKNOWN_CALL', '不支持的操作'));
      }
      const body = await readJson(req, MAX_BODY);
      if (!body.ok && body.status === 413) return sendJson(res, 413, err('TOO_LARGE', '照片太大了，请重新拍摄'));
      if (!body.ok) return sendJson(res, 400, err('VALIDATION', '请求有误，请重试'));
      const result = await dispatch(this.kiosk.handlers, name, body.value);
      const status = !result.ok && result.error.code === 'UNKNOWN_CALL' ? 404 : 200;
      return sendJson(res, status, result);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    if (path.startsWith('/media/')) {
      const id = safeDecode(path.slice('/media/'.length));
      const media = id === null ? null : this.kiosk.media(id);
      if (!media) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'Content-Type': media.mime, 'Cache-Control': 'no-store' });
      createReadStream(media.path).pipe(res);
      return;
    }
    if (path.startsWith('/samples/')) {
      serveFile(res, this.opts.samplesDir, path.slice('/samples'.length), { cache: 'public, max-age=3600' });
      return;
    }
    if (path === '/' || path === '/index.html') {
      serveFile(res, this.opts.rendererDir, '/index.html', {
        cache: 'no-store',
        headers: { 'Content-Security-Policy': KIOSK_CSP },
        notFoundText: '界面尚未构建：请先运行 npm run build',
      });
      return;
    }
    if (path.startsWith('/assets/')) {
      serveFile(res, this.opts.rendererDir, path, { cache: 'public, max-age=86400' });
      return;
    }
    res.writeHead(404).end();
  }
}
