// The chat robots operators already have, each in its own wire format:
// * 企业微信 group robot: POST <webhook>?key=… {"msgtype":"markdown","markdown":{"content":…}} → {"errcode":0}
//   (content ≤ 4096 bytes; 20 messages a minute per robot, errcode 45009 beyond that).
// * 钉钉 custom robot with "加签": POST <webhook>?access_token=…&timestamp=<ms>&sign=<urlencoded base64
//   HMAC-SHA256(secret, timestamp + "\n" + secret)> {"msgtype":"markdown","markdown":{"title","text"}}
//   → {"errcode":0}; the timestamp must be within an hour of DingTalk's clock (errcode 310000 otherwise).
// * A generic JSON webhook: POST the alert as JSON, signed with X-Kiosk-Signature: sha256=<hex HMAC of
//   "<timestamp>.<body>"> and X-Kiosk-Timestamp when a secret is set; any 2xx is delivered.
import { createHmac } from 'node:crypto';
import type { SecretReader } from '../config';

export type RobotKind = 'wecom' | 'dingtalk' | 'webhook';
export const ROBOT_KINDS: RobotKind[] = ['wecom', 'dingtalk', 'webhook'];

export interface AlertMessage {
  /** Condition key, e.g. paper_out, rate:payment. */
  key: string;
  state: 'firing' | 'recovered' | 'event';
  severity: 'critical' | 'warning' | 'info';
  kioskId: string;
  group: string;
  title: string;
  /** Plain lines (Chinese for the operator); no personal data. */
  lines: string[];
  at: string;
}

export class RobotError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'RobotError';
  }
}

export function dingtalkSign(secret: string, timestamp: number): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
}

export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

const ICON = { firing: '🔴', recovered: '✅', event: '⚠️' } as const;

function markdown(m: AlertMessage): string {
  const head = `### ${ICON[m.state]} ${m.state === 'recovered' ? '已恢复：' : ''}${m.title}`;
  const body = [`> 机器：**${m.kioskId}**（${m.group}）`, ...m.lines.map((l) => `> ${l}`), `> 时间：${m.at}`].join('\n');
  let out = `${head}\n${body}`;
  // 企业微信 refuses markdown content over 4096 bytes.
  while (Buffer.byteLength(out) > 4000) out = out.slice(0, -100);
  return out;
}

/** The request each robot expects for the message (pure: what the tests and the receiver check). */
export function robotRequest(kind: RobotKind, m: AlertMessage, secrets: SecretReader, now = Date.now()): { url: string; body: string; headers: Record<string, string> } {
  const json = { 'content-type': 'application/json; charset=utf-8' };
  if (kind === 'wecom') {
    const url = secrets('alerts.wecom-webhook');
    if (!url) throw new RobotError('NOT_CONFIGURED', 'wecom robot webhook not set', false);
    return { url, body: JSON.stringify({ msgtype: 'markdown', markdown: { content: markdown(m) } }), headers: json };
  }
  if (kind === 'dingtalk') {
    const base = secrets('alerts.dingtalk-webhook');
    if (!base) throw new RobotError('NOT_CONFIGURED', 'dingtalk robot webhook not set', false);
    const secret = secrets('alerts.dingtalk-secret');
    const u = new URL(base);
    if (secret) {
      u.searchParams.set('timestamp', String(now));
      u.searchParams.set('sign', dingtalkSign(secret, now));
    }
    const title = `${m.state === 'recovered' ? '已恢复：' : ''}${m.title}`.slice(0, 60);
    return { url: u.toString(), body: JSON.stringify({ msgtype: 'markdown', markdown: { title, text: markdown(m) } }), headers: json };
  }
  const url = secrets('alerts.webhook-url');
  if (!url) throw new RobotError('NOT_CONFIGURED', 'webhook URL not set', false);
  const body = JSON.stringify({ source: 'tuanyuan-kiosk', v: 1, alert: m });
  const secret = secrets('alerts.webhook-secret');
  const ts = String(Math.floor(now / 1000));
  return { url, body, headers: { ...json, ...(secret ? { 'x-kiosk-timestamp': ts, 'x-kiosk-signature': webhookSignature(secret, ts, body) } : {}) } };
}

/** Robot answers that retrying later can fix (rate limits, their server busy). */
const RETRYABLE_ERRCODES = new Set([45009, 130101, -1, 45033]);

/** Sends one message to one robot; throws RobotError (retryable or not) unless it was accepted. */
export async function sendToRobot(kind: RobotKind, m: AlertMessage, secrets: SecretReader, opts: { timeoutMs?: number; now?: number } = {}): Promise<void> {
  const req = robotRequest(kind, m, secrets, opts.now ?? Date.now());
  let res: Response;
  try {
    res = await fetch(req.url, { method: 'POST', headers: req.headers, body: req.body, signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000) });
  } catch (e) {
    throw new RobotError('NETWORK', `${kind}: ${(e as Error).message}`.slice(0, 200), true);
  }
  const text = await res.text().catch(() => '');
  if (!res.ok) throw new RobotError(`HTTP_${res.status}`, `${kind}: HTTP ${res.status}`, res.status >= 500 || res.status === 429);
  if (kind === 'webhook') return;
  let answer: { errcode?: number; errmsg?: string } = {};
  try {
    answer = JSON.parse(text) as typeof answer;
  } catch {
    throw new RobotError('BAD_ANSWER', `${kind}: answer is not JSON`, true);
  }
  if (answer.errcode === 0) return;
  const code = Number(answer.errcode ?? -1);
  throw new RobotError(`ERRCODE_${code}`, `${kind}: errcode ${code} ${String(answer.errmsg ?? '').slice(0, 100)}`, RETRYABLE_ERRCODES.has(code));
}

/** Which robots have what they need to send. */
export function configuredRobots(secrets: SecretReader): RobotKind[] {
  const out: RobotKind[] = [];
  if (secrets('alerts.wecom-webhook')) out.push('wecom');
  if (secrets('alerts.dingtalk-webhook')) out.push('dingtalk');
  if (secrets('alerts.webhook-url')) out.push('webhook');
  return out;
}
