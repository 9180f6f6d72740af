// Alerts end to end against the local robot receiver (electron/sim/robots), which checks each
// robot's wire format and signature the way 企业微信 and 钉钉 do.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startRobotReceiver, type RobotReceiver } from '../../../../sim/robots/receiver';
import { healthReport } from '../../../testing/fleet';
import { until } from '../../../testing/orders';
import type { SecretReader } from '../config';
import { Outcomes } from '../outcomes';
import { Alerter } from './alerter';
import { currentConditions, type ConditionInput } from './conditions';
import { robotRequest, sendToRobot } from './robots';

let rx: RobotReceiver;
let dir: string;
let alerter: Alerter | undefined;
beforeEach(async () => {
  rx = await startRobotReceiver({ wecomKey: 'wk-1', dingtalkToken: 'dt-1', dingtalkSecret: 'SECabc123', webhookSecret: 'hook-secret' });
  dir = mkdtempSync(join(tmpdir(), 'fleet-alerts-'));
});
afterEach(async () => {
  await alerter?.stop();
  alerter = undefined;
  await rx.close();
  rmSync(dir, { recursive: true, force: true });
});

function secrets(over: Record<string, string | null> = {}): SecretReader {
  const s: Record<string, string | null> = {
    'alerts.wecom-webhook': rx.wecomUrl,
    'alerts.dingtalk-webhook': rx.dingtalkUrl,
    'alerts.dingtalk-secret': 'SECabc123',
    'alerts.webhook-url': rx.webhookUrl,
    'alerts.webhook-secret': 'hook-secret',
    ...over,
  };
  return (n) => s[n] ?? null;
}

function input(over: Partial<ConditionInput> = {}): ConditionInput {
  return { health: healthReport(), outcomes: new Outcomes(), windowMs: 15 * 60_000, successRateBelow: 0.99, minCalls: 3, paperLowAt: null, attention: {}, crashRestart: false, ...over };
}

const make = (s = secrets()) => {
  alerter = new Alerter({ dir, kioskId: 'mall-a-01', group: () => 'beijing', secrets: s, baseDelayMs: 20, maxDelayMs: 50 });
  alerter.start();
  return alerter;
};

describe('robots: each one\'s format and signature', () => {
  const m = { key: 'paper_out', state: 'firing' as const, severity: 'critical' as const, kioskId: 'k1', group: 'g', title: '相纸用完', lines: ['x'], at: '2026-02-01T00:00:00.000Z' };

  it('all three accept a correctly signed message', async () => {
    for (const r of ['wecom', 'dingtalk', 'webhook'] as const) await sendToRobot(r, m, secrets());
    expect(rx.received.map((x) => x.robot)).toEqual(['wecom', 'dingtalk', 'webhook']);
    expect(rx.received[0]!.body).toMatchObject({ msgtype: 'markdown' });
    expect(rx.received[0]!.text).toContain('相纸用完');
    expect(rx.received[1]!.body).toMatchObject({ msgtype: 'markdown', markdown: { title: '相纸用完' } });
    expect(rx.refused).toEqual([]);
  });

  it('钉钉: a wrong secret or a stale timestamp is refused (errcode 310000) and not retried', async () => {
    await expect(sendToRobot('dingtalk', m, secrets({ 'alerts.dingtalk-secret': 'SECwrong' }))).rejects.toMatchObject({ code: 'ERRCODE_310000', retryable: false });
    await expect(sendToRobot('dingtalk', m, secrets(), { now: Date.now() - 2 * 3_600_000 })).rejects.toMatchObject({ code: 'ERRCODE_310000' });
    expect(rx.refused.map((r) => r.reason)).toEqual(['sign', 'timestamp']);
    // The sign is URL-encoded base64 in the query (it contains + / =).
    const req = robotRequest('dingtalk', m, secrets(), 1_700_000_000_000);
    expect(new URL(req.url).searchParams.get('timestamp')).toBe('1700000000000');
    expect(req.url).not.toMatch(/sign=[^&]*[+/=]/);
  });

  it('企业微信: a wrong key is refused (93000); the webhook refuses a bad signature (401)', async () => {
    await expect(sendToRobot('wecom', m, secrets({ 'alerts.wecom-webhook': `${rx.url}/cgi-bin/webhook/send?key=nope` }))).rejects.toMatchObject({ code: 'ERRCODE_93000', retryable: false });
    await expect(sendToRobot('webhook', m, secrets({ 'alerts.webhook-secret': 'other' }))).rejects.toMatchObject({ code: 'HTTP_401' });
  });
});

describe('alerts: once while it holds, recovered when it clears, queued while offline', () => {
  it('paper out → one message per robot; held → nothing; refilled → recovered', async () => {
    const a = make();
    const out = input({ health: healthReport({ paper: ['error', 'NO_PAPER'] }, { remaining: 0, capacity: 700 }) });
    expect(a.update(currentConditions(out)).map((x) => `${x.key}:${x.state}`)).toEqual(['paper_out:firing']);
    await until(() => rx.received.length === 3, 'three robots');
    for (let i = 0; i < 5; i++) expect(a.update(currentConditions(out))).toEqual([]);
    expect(a.update(currentConditions(input())).map((x) => `${x.key}:${x.state}`)).toEqual(['paper_out:recovered']);
    await until(() => rx.received.length === 6, 'recovered to three robots');
    expect(rx.received.filter((r) => r.robot === 'wecom').map((r) => r.text.split('\n')[0])).toEqual(['### 🔴 相纸用完', '### ✅ 已恢复：相纸用完']);
    expect(rx.refused).toEqual([]);
  });

  it('paid orders needing attention: sent again when a new one joins (also after a restart), not when one is settled', async () => {
    let a = make(secrets({ 'alerts.dingtalk-webhook': null, 'alerts.webhook-url': null }));
    const with_ = (attention: Record<string, number>) => currentConditions(input({ attention }));
    expect(a.update(with_({ AMOUNT_MISMATCH: 1 })).map((x) => `${x.state}:${x.title}`)).toEqual(['firing:1 笔已付款订单需要处理']);
    expect(a.update(with_({ AMOUNT_MISMATCH: 1 }))).toEqual([]);
    expect(a.update(with_({ AMOUNT_MISMATCH: 1, REFUND_FAILED: 1 })).map((x) => `${x.state}:${x.title}`)).toEqual(['firing:2 笔已付款订单需要处理']);
    expect(a.update(with_({ REFUND_FAILED: 1 }))).toEqual([]); // one settled: quiet
    await a.stop();
    a = make(secrets({ 'alerts.dingtalk-webhook': null, 'alerts.webhook-url': null }));
    expect(a.update(with_({ REFUND_FAILED: 1 }))).toEqual([]);
    expect(a.update(with_({ REFUND_FAILED: 2 })).map((x) => x.title)).toEqual(['2 笔已付款订单需要处理']);
    expect(a.update(with_({})).map((x) => x.state)).toEqual(['recovered']);
    await until(() => rx.received.length === 4, 'four messages to 企业微信');
    expect(rx.received.map((r) => r.text.split('\n')[0])).toEqual(['### 🔴 1 笔已付款订单需要处理', '### 🔴 2 笔已付款订单需要处理', '### 🔴 2 笔已付款订单需要处理', '### ✅ 已恢复：2 笔已付款订单需要处理']);
  });

  it('a provider below 99 % over 15 minutes fires; a lone failure among few calls does not', async () => {
    let t = Date.now();
    const outcomes = new Outcomes(() => t);
    outcomes.record('payment', false, 'NETWORK');
    expect(currentConditions(input({ outcomes })).map((c) => c.key)).toEqual([]);
    for (let i = 0; i < 60; i++) outcomes.record('payment', true);
    expect(currentConditions(input({ outcomes })).map((c) => c.key)).toEqual(['rate:payment']); // 60/61 = 98.4 %
    for (let i = 0; i < 50; i++) outcomes.record('payment', true);
    expect(currentConditions(input({ outcomes })).map((c) => c.key)).toEqual([]); // 110/111 = 99.1 %
    for (let i = 0; i < 5; i++) outcomes.record('upload', false, 'RequestTimeTooSkewed');
    expect(currentConditions(input({ outcomes }))[0]).toMatchObject({ key: 'rate:upload' });
    t += 16 * 60_000; // the window moved on
    expect(currentConditions(input({ outcomes }))).toEqual([]);
  });

  it('every condition of the issue has its key', () => {
    const h = healthReport({ printer: ['error', 'PRINTER_NOT_READY'], disk: ['error', 'DISK_LOW'], camera: ['error', 'CAMERA_FAILED'], paper: ['warn', 'PAPER_LOW'] }, { remaining: 10, capacity: 700 });
    const keys = currentConditions(input({ health: h, attention: { REFUND_FAILED: 1, PRINT_FAILED: 2 }, crashRestart: true })).map((c) => c.key);
    expect(keys).toEqual(['paper_low', 'printer', 'disk_low', 'camera_lost', 'paid_order_attention', 'crash_restart']);
  });

  it('raised while the robots are unreachable, delivered once they are back, also after a restart', async () => {
    rx.offline(true);
    const a = make();
    a.update(currentConditions(input({ health: healthReport({ camera: ['error', 'CAMERA_FAILED'] }) })));
    await until(() => a.queue.stats().pending === 3 && a.queue.stats().uploading === 0, 'pending while offline', 15_000);
    await a.stop();
    // Restart: the active set and the queued messages survive; the held condition is not sent twice.
    rx.offline(false);
    const b = make();
    expect(b.active()).toEqual(['camera_lost']);
    expect(b.update(currentConditions(input({ health: healthReport({ camera: ['error', 'CAMERA_FAILED'] }) })))).toEqual([]);
    await until(() => rx.received.length === 3, 'delivered after restart', 15_000);
    expect(rx.received.every((r) => r.text.includes('摄像头'))).toBe(true);
    expect(rx.refused).toEqual([]);
  }, 40_000);
});
