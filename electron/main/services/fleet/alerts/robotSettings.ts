// The admin screen's "告警机器人" section: which robots are on, where they send, and a test message.
// Addresses and signing secrets are secrets (the same SecretStore the provider registry uses, via the
// admin service's write-only setSecret, which audits); the screen only ever gets them masked.
// On/off is not a secret: it lives in the database's settings table next to the other operator choices.
import { z } from 'zod';
import type { AlertRobotTestResult, AlertRobotView, CallInput, CallOutput } from '../../../../shared/contract';
import { KioskFailure } from '../../../../shared/result';
import { readSetting, writeSetting } from '../../admin/settingsStore';
import type { Db } from '../../store/db';
import type { FleetSecretName, SecretReader } from '../config';
import type { Alerter } from './alerter';
import { ROBOT_KINDS, type RobotKind } from './robots';

/** Which secret holds each robot's address and (if it has one) its signing secret. One place. */
export const ROBOT_SECRETS: Record<RobotKind, { address: FleetSecretName; secret?: FleetSecretName }> = {
  wecom: { address: 'alerts.wecom-webhook' },
  dingtalk: { address: 'alerts.dingtalk-webhook', secret: 'alerts.dingtalk-secret' },
  webhook: { address: 'alerts.webhook-url', secret: 'alerts.webhook-secret' },
};

/** What a bare key / token expands to (the operator may paste only that from the robot's page). */
const OFFICIAL = {
  wecom: { base: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send', param: 'key' },
  dingtalk: { base: 'https://oapi.dingtalk.com/robot/send', param: 'access_token' },
} as const;

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

const bad = (message: string) => new KioskFailure('ROBOT_ADDRESS_INVALID', message);

/**
 * The full webhook URL for what the operator typed: a URL, or for 企业微信 / 钉钉 only the key /
 * access_token. https only (plain http only to this machine, for a local relay or the test receiver).
 */
export function robotAddress(kind: RobotKind, input: string): string {
  const text = input.trim();
  if (kind !== 'webhook' && /^[A-Za-z0-9_-]{8,200}$/.test(text)) {
    const o = OFFICIAL[kind];
    return `${o.base}?${o.param}=${text}`;
  }
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw bad(kind === 'webhook' ? '请填写完整的网址（https://…）' : '请粘贴机器人的完整 Webhook 地址，或只填其中的 key / access_token');
  }
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && LOOPBACK.has(u.hostname))) throw bad('地址必须以 https:// 开头');
  if (u.username || u.password) throw bad('地址中不能包含用户名或密码');
  if (kind !== 'webhook' && !u.searchParams.get(OFFICIAL[kind].param)) throw bad(`地址中缺少 ${OFFICIAL[kind].param}=…`);
  return u.toString();
}

/** "host · key …abcd": enough to recognise the robot, not enough to send to it. */
export function maskAddress(kind: RobotKind, url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return '…';
  }
  const param = kind === 'webhook' ? null : OFFICIAL[kind].param;
  const key = param ? (u.searchParams.get(param) ?? '') : `${u.pathname}${u.search}`;
  const tail = key.length > 8 ? key.slice(-4) : '';
  return `${u.host}${param ? ` · ${param}` : ''} …${tail}`;
}

const ENABLED_KEY = 'alerts.robots';
const Enabled = z.record(z.string(), z.boolean());

/** A robot is on unless the operator turned it off (robots set before this screen existed stay on). */
export function robotEnabled(db: Db): (kind: RobotKind) => boolean {
  return (kind) => readSetting(db, ENABLED_KEY, Enabled, {})[kind] ?? true;
}

export function robotsView(db: Db, secrets: SecretReader): AlertRobotView[] {
  const on = robotEnabled(db);
  return ROBOT_KINDS.map((kind) => {
    const names = ROBOT_SECRETS[kind];
    const url = secrets(names.address);
    return { kind, enabled: on(kind), configured: url !== null, target: url ? maskAddress(kind, url) : null, secretSet: names.secret ? secrets(names.secret) !== null : false };
  });
}

export interface RobotCallsDeps {
  db: Db;
  secrets: SecretReader;
  alerter: Alerter;
  /** Checks the admin session token (throws ADMIN_SESSION_EXPIRED). */
  guard(token: string): void;
  /** The admin service's write-only secret setter (validates the name, audits, '' removes). */
  setSecret(name: string, value: string): void;
  audit(action: string, details: Record<string, unknown>): void;
}

type RobotCall = 'admin:get-alert-robots' | 'admin:save-alert-robot' | 'admin:test-alert-robot';
export type RobotHandlers = { [N in RobotCall]: (input: CallInput<N>) => Promise<CallOutput<N>> };

export function createRobotHandlers(d: RobotCallsDeps): RobotHandlers {
  const view = () => ({ robots: robotsView(d.db, d.secrets) });
  return {
    'admin:get-alert-robots': async ({ token }) => {
      d.guard(token);
      return view();
    },
    'admin:save-alert-robot': async ({ token, kind, enabled, address, secret }) => {
      d.guard(token);
      const names = ROBOT_SECRETS[kind];
      // Validate everything before writing anything: a half-saved robot is worse than none.
      const url = address === undefined || address.trim() === '' ? address : robotAddress(kind, address);
      if (secret !== undefined && !names.secret) throw new KioskFailure('VALIDATION', '该机器人没有签名密钥');
      if (url !== undefined) d.setSecret(names.address, url);
      if (secret !== undefined && names.secret) d.setSecret(names.secret, secret);
      const all = readSetting(d.db, ENABLED_KEY, Enabled, {});
      if ((all[kind] ?? true) !== enabled) {
        writeSetting(d.db, ENABLED_KEY, { ...all, [kind]: enabled });
        d.audit('alert_robot_switched', { kind, enabled });
      }
      return view();
    },
    'admin:test-alert-robot': async ({ token, kind }): Promise<AlertRobotTestResult> => {
      d.guard(token);
      const r = await d.alerter.test(kind);
      d.audit('alert_robot_tested', { kind, ok: r.ok, code: r.code });
      return { ok: r.ok, code: r.code };
    },
  };
}
