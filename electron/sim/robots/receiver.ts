// A local stand-in for the operators' chat robots, strict where the real services are:
// * 企业微信: POST /cgi-bin/webhook/send?key=<key>; JSON msgtype text|markdown; markdown.content
//   1..4096 bytes; wrong key → errcode 93000; 20 messages/minute → errcode 45009.
// * 钉钉: POST /robot/send?access_token=<token>&timestamp=<ms>&sign=<base64 HMAC-SHA256(secret,
//   "timestamp\nsecret")>; timestamp more than an hour off → 310000 "timestamp is expired";
//   wrong sign → 310000 "sign not match"; unknown token → 300001; markdown needs title and text.
// * Generic webhook: POST /hook with X-Kiosk-Timestamp and X-Kiosk-Signature (sha256=hex HMAC of
//   "<timestamp>.<body>"); a bad signature is 401.
// Every accepted message is kept (robot, parsed body) for the tests; faults simulate outages.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RobotReceiverOptions {
  wecomKey: string;
  dingtalkToken: string;
  dingtalkSecret: string;
  webhookSecret: string;
  port?: number;
  now?: () => number;
}

export interface ReceivedMessage {
  robot: 'wecom' | 'dingtalk' | 'webhook';
  body: Record<string, unknown>;
  /** The markdown or text the group sees. */
  text: string;
  at: number;
}

export interface RobotReceiver {
  url: string;
  wecomUrl: string;
  dingtalkUrl: string;
  webhookUrl: string;
  received: ReceivedMessage[];
  /** Refused requests with the reason (format or signature errors). */
  refused: { robot: string; reason: string }[];
  /** All requests fail (connection dropped) until called with false. */
  offline(on: boolean): void;
  close(): Promise<void>;
}

const eq = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startRobotReceiver(o: RobotReceiverOptions): Promise<RobotReceiver> {
  const now = o.now ?? Date.now;
  const received: ReceivedMessage[] = [];
  const refused: RobotReceiver['refused'] = [];
  const wecomTimes: number[] = [];
  let isOffline = false;

  function answer(res: ServerResponse, status: number, body: unknown): void {
    const s = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(s) });
    res.end(s);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const u = new URL(req.url ?? '/', 'http://robots.local');
    const raw = await readBody(req);
    const refuse = (robot: string, reason: string, status: number, body: unknown) => {
      refused.push({ robot, reason });
      answer(res, status, body);
    };
    if (req.method !== 'POST') return refuse('any', 'method', 405, { errcode: 405, errmsg: 'method not allowed' });
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return refuse(u.pathname, 'not json', 200, { errcode: 40035, errmsg: 'invalid json' });
    }
    if (u.pathname === '/cgi-bin/webhook/send') {
      if (u.searchParams.get('key') !== o.wecomKey) return refuse('wecom', 'key', 200, { errcode: 93000, errmsg: 'invalid webhook url' });
      if (!/^application\/json/.test(req.headers['content-type'] ?? '')) return refuse('wecom', 'content-type', 200, { errcode: 40008, errmsg: 'invalid message type' });
      const t = now();
      while (wecomTimes.length && wecomTimes[0]! < t - 60_000) wecomTimes.shift();
      if (wecomTimes.length >= 20) return refuse('wecom', 'rate', 200, { errcode: 45009, errmsg: 'api freq out of limit' });
      let text = '';
      if (body.msgtype === 'markdown') text = String((body.markdown as { content?: unknown } | undefined)?.content ?? '');
      else if (body.msgtype === 'text') text = String((body.text as { content?: unknown } | undefined)?.content ?? '');
      else return refuse('wecom', 'msgtype', 200, { errcode: 40008, errmsg: 'invalid message type' });
      if (!text) return refuse('wecom', 'empty', 200, { errcode: 44004, errmsg: 'empty content' });
      if (Buffer.byteLength(text) > 4096) return refuse('wecom', 'too long', 200, { errcode: 40058, errmsg: 'content exceed max length 4096' });
      wecomTimes.push(t);
      received.push({ robot: 'wecom', body, text, at: t });
      return answer(res, 200, { errcode: 0, errmsg: 'ok' });
    }
    if (u.pathname === '/robot/send') {
      if (u.searchParams.get('access_token') !== o.dingtalkToken) return refuse('dingtalk', 'token', 200, { errcode: 300001, errmsg: 'token is not exist' });
      const ts = Number(u.searchParams.get('timestamp'));
      const sign = u.searchParams.get('sign') ?? '';
      if (!Number.isFinite(ts) || Math.abs(now() - ts) > 3_600_000) return refuse('dingtalk', 'timestamp', 200, { errcode: 310000, errmsg: 'timestamp is expired' });
      const want = createHmac('sha256', o.dingtalkSecret).update(`${ts}\n${o.dingtalkSecret}`).digest('base64');
      if (!eq(sign, want)) return refuse('dingtalk', 'sign', 200, { errcode: 310000, errmsg: 'sign not match' });
      let text = '';
      if (body.msgtype === 'markdown') {
        const md = body.markdown as { title?: unknown; text?: unknown } | undefined;
        if (!md?.title || !md.text) return refuse('dingtalk', 'markdown fields', 200, { errcode: 40035, errmsg: 'missing title or text' });
        text = String(md.text);
      } else if (body.msgtype === 'text') text = String((body.text as { content?: unknown } | undefined)?.content ?? '');
      else return refuse('dingtalk', 'msgtype', 200, { errcode: 40035, errmsg: 'unsupported msgtype' });
      received.push({ robot: 'dingtalk', body, text, at: now() });
      return answer(res, 200, { errcode: 0, errmsg: 'ok' });
    }
    if (u.pathname === '/hook') {
      const ts = String(req.headers['x-kiosk-timestamp'] ?? '');
      const sig = String(req.headers['x-kiosk-signature'] ?? '');
      const want = `sha256=${createHmac('sha256', o.webhookSecret).update(`${ts}.${raw}`).digest('hex')}`;
      if (!ts || Math.abs(now() / 1000 - Number(ts)) > 300 || !eq(sig, want)) return refuse('webhook', 'signature', 401, { error: 'bad signature' });
      const alert = body.alert as { title?: unknown } | undefined;
      if (body.source !== 'tuanyuan-kiosk' || !alert?.title) return refuse('webhook', 'shape', 400, { error: 'not an alert' });
      received.push({ robot: 'webhook', body, text: String(alert.title), at: now() });
      return answer(res, 200, { ok: true });
    }
    return refuse('any', `path ${u.pathname}`, 404, { errcode: 404, errmsg: 'not found' });
  }

  const server = createServer((req, res) => {
    if (isOffline) {
      req.socket.destroy();
      return;
    }
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((r) => server.listen(o.port ?? 0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    wecomUrl: `${url}/cgi-bin/webhook/send?key=${o.wecomKey}`,
    dingtalkUrl: `${url}/robot/send?access_token=${o.dingtalkToken}`,
    webhookUrl: `${url}/hook`,
    received,
    refused,
    offline: (on) => void (isOffline = on),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
