// The admin screen's alert robots through the one contract (dispatch, as both hosts call it) and the
// whole composition root, against the local robot receiver that checks each robot's wire format and
// signature: saved to the secret store, shown only masked, a test message really sent, a robot
// turned off gets no alerts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startRobotReceiver, type RobotReceiver } from '../../../../sim/robots/receiver';
import { createKiosk, type Kiosk } from '../../../app';
import { dispatch } from '../../../ipc/handlers';
import { until } from '../../../testing/orders';
import { maskAddress, robotAddress } from './robotSettings';

const PIN = '24680';
const WECOM_KEY = 'a1b2c3d4-0000-4444-8888-wecomkey9f3a';
const DING_TOKEN = 'dingtoken0123456789abcdef7c1e';
const DING_SECRET = 'SEC0123456789abcdefdingsecret';
const HOOK_SECRET = 'hook-secret-0123456789';

let rx: RobotReceiver;
let dir: string;
let kiosk: Kiosk;
beforeEach(async () => {
  rx = await startRobotReceiver({ wecomKey: WECOM_KEY, dingtalkToken: DING_TOKEN, dingtalkSecret: DING_SECRET, webhookSecret: HOOK_SECRET });
  dir = mkdtempSync(join(tmpdir(), 'fleet-robots-'));
  kiosk = await createKiosk({ dataDir: dir, host: 'browser', version: 'test', env: { KIOSK_PHONE_PORT: '0', KIOSK_LOG_QUIET: '1', KIOSK_ADMIN_PIN: PIN } });
});
afterEach(async () => {
  await kiosk.close();
  await rx.close();
  rmSync(dir, { recursive: true, force: true });
});

async function call(name: string, input: Record<string, unknown>): Promise<{ ok: boolean; value?: unknown; error?: { code: string; message: string } }> {
  return (await dispatch(kiosk.handlers, name, input)) as { ok: boolean; value?: unknown; error?: { code: string; message: string } };
}

async function unlock(): Promise<string> {
  const r = await call('admin:unlock', { pin: PIN });
  expect(r.ok).toBe(true);
  return (r.value as { token: string }).token;
}

type View = { robots: { kind: string; enabled: boolean; configured: boolean; target: string | null; secretSet: boolean }[] };

describe('alert robots on the admin screen, through the contract', () => {
  it('saves each robot, shows it masked, and the test message reaches it in its format with a valid signature', async () => {
    const token = await unlock();
    let r = await call('admin:save-alert-robot', { token, kind: 'wecom', enabled: true, address: rx.wecomUrl });
    expect(r.ok).toBe(true);
    r = await call('admin:save-alert-robot', { token, kind: 'dingtalk', enabled: true, address: rx.dingtalkUrl, secret: DING_SECRET });
    expect(r.ok).toBe(true);
    r = await call('admin:save-alert-robot', { token, kind: 'webhook', enabled: true, address: rx.webhookUrl, secret: HOOK_SECRET });
    expect(r.ok).toBe(true);

    // In the secret store the provider registry uses, not in config.json or the settings table.
    expect(kiosk.providers.secrets?.get('alerts.wecom-webhook')).toBe(rx.wecomUrl);
    expect(kiosk.providers.secrets?.get('alerts.dingtalk-secret')).toBe(DING_SECRET);

    const got = await call('admin:get-alert-robots', { token });
    const view = got.value as View;
    expect(view.robots.map((x) => [x.kind, x.enabled, x.configured, x.secretSet])).toEqual([
      ['wecom', true, true, false],
      ['dingtalk', true, true, true],
      ['webhook', true, true, true],
    ]);
    // Recognisable, never the whole key, token or secret.
    expect(view.robots[0]!.target).toMatch(/^127\.0\.0\.1:\d+ · key …9f3a$/);
    const shown = JSON.stringify(view);
    for (const s of [WECOM_KEY, DING_TOKEN, DING_SECRET, HOOK_SECRET]) expect(shown).not.toContain(s);

    for (const kind of ['wecom', 'dingtalk', 'webhook']) {
      const t = await call('admin:test-alert-robot', { token, kind });
      expect(t.value).toEqual({ ok: true, code: 'OK' });
    }
    expect(rx.refused).toEqual([]);
    expect(rx.received.map((m) => m.robot)).toEqual(['wecom', 'dingtalk', 'webhook']);
    expect(rx.received[0]!.body).toMatchObject({ msgtype: 'markdown' });
    expect(rx.received[0]!.text).toContain('测试消息');
    expect(rx.received[1]!.body).toMatchObject({ msgtype: 'markdown', markdown: { title: '测试消息' } });
    expect((rx.received[2]!.body as { alert: { title: string; kioskId: string } }).alert).toMatchObject({ title: '测试消息', kioskId: kiosk.config.kioskId });
  });

  it("a wrong signing secret or key: the test reports the robot's own error code, nothing is delivered", async () => {
    const token = await unlock();
    await call('admin:save-alert-robot', { token, kind: 'dingtalk', enabled: true, address: rx.dingtalkUrl, secret: 'SECwrong' });
    expect((await call('admin:test-alert-robot', { token, kind: 'dingtalk' })).value).toEqual({ ok: false, code: 'ERRCODE_310000' });
    expect(rx.refused).toEqual([{ robot: 'dingtalk', reason: 'sign' }]);
    await call('admin:save-alert-robot', { token, kind: 'wecom', enabled: true, address: rx.wecomUrl.replace(WECOM_KEY, 'not-the-key-000') });
    expect((await call('admin:test-alert-robot', { token, kind: 'wecom' })).value).toEqual({ ok: false, code: 'ERRCODE_93000' });
    expect((await call('admin:test-alert-robot', { token, kind: 'webhook' })).value).toEqual({ ok: false, code: 'NOT_CONFIGURED' });
    expect(rx.received).toEqual([]);
    // The secret itself is corrected without retyping the address.
    await call('admin:save-alert-robot', { token, kind: 'dingtalk', enabled: true, secret: DING_SECRET });
    expect((await call('admin:test-alert-robot', { token, kind: 'dingtalk' })).value).toEqual({ ok: true, code: 'OK' });
  });

  it('refuses an address that is not a robot URL (nothing saved), and needs the session token', async () => {
    const token = await unlock();
    for (const address of ['ftp://example.com/x', 'http://example.com/hook', 'not a url at all', 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send']) {
      const r = await call('admin:save-alert-robot', { token, kind: address.includes('qyapi') ? 'wecom' : 'webhook', enabled: true, address });
      expect(r.error?.code, address).toBe('ROBOT_ADDRESS_INVALID');
    }
    expect(kiosk.providers.secrets?.get('alerts.webhook-url') ?? null).toBeNull();
    expect(kiosk.providers.secrets?.get('alerts.wecom-webhook') ?? null).toBeNull();
    expect((await call('admin:get-alert-robots', { token: 'x'.repeat(32) })).error?.code).toBe('ADMIN_SESSION_EXPIRED');
    expect((await call('admin:test-alert-robot', { token: 'x'.repeat(32), kind: 'wecom' })).ok).toBe(false);
  });

  it('a robot turned off gets no alerts; the others do (and it stays off after a restart)', async () => {
    const token = await unlock();
    await call('admin:save-alert-robot', { token, kind: 'wecom', enabled: false, address: rx.wecomUrl });
    await call('admin:save-alert-robot', { token, kind: 'webhook', enabled: true, address: rx.webhookUrl, secret: HOOK_SECRET });
    kiosk.fleet.alerter.update([{ key: 'paper_out', severity: 'critical', title: '相纸用完', lines: ['x'] }]);
    await until(() => rx.received.length >= 1, 'an alert delivered', 10_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(rx.received.map((m) => m.robot)).toEqual(['webhook']);
    await kiosk.close();
    kiosk = await createKiosk({ dataDir: dir, host: 'browser', version: 'test', env: { KIOSK_PHONE_PORT: '0', KIOSK_LOG_QUIET: '1', KIOSK_ADMIN_PIN: PIN } });
    const view = (await call('admin:get-alert-robots', { token: await unlock() })).value as View;
    expect(view.robots.find((x) => x.kind === 'wecom')).toMatchObject({ enabled: false, configured: true });
  });
});

describe('what the operator may paste', () => {
  it('a bare 企业微信 key or 钉钉 access_token becomes the official https address', () => {
    expect(robotAddress('wecom', ' 693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa ')).toBe('https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa');
    expect(robotAddress('dingtalk', 'abcdef0123456789')).toBe('https://oapi.dingtalk.com/robot/send?access_token=abcdef0123456789');
    expect(maskAddress('dingtalk', 'https://oapi.dingtalk.com/robot/send?access_token=abcdef0123456789')).toBe('oapi.dingtalk.com · access_token …6789');
  });
});
