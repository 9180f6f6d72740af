// The operator sets up the alert robots on the admin screen (real Chromium, real browser host) and
// presses "发送测试消息": the message really reaches the local robot receiver (electron/sim/robots),
// which checks 企业微信's format and 钉钉's signature; a wrong 钉钉 secret is shown with the robot's
// own error code in Chinese. Addresses and secrets never come back to the screen in full.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRobotReceiver, type RobotReceiver } from '../electron/sim/robots/receiver';
import { fakeCamera, kioskPage, launchChromium, screenshot, startHost, unlockAdmin, type Host } from './kioskHost';

const PIN = '24680';
const WECOM_KEY = 'e2e-wecom-key-0000-4444-8888-7d2c';
const DING_TOKEN = 'e2edingtoken0123456789abcd';
const DING_SECRET = 'SECe2e0123456789dingtalksecret';
let browser: Browser;
let rx: RobotReceiver;
let host: Host | undefined;
const work = mkdtempSync(join(tmpdir(), 'kiosk-alerts-e2e-'));

beforeAll(async () => {
  browser = await launchChromium(fakeCamera(work));
  rx = await startRobotReceiver({ wecomKey: WECOM_KEY, dingtalkToken: DING_TOKEN, dingtalkSecret: DING_SECRET, webhookSecret: 'unused-here' });
});
afterAll(async () => {
  await browser?.close();
  await host?.stop().catch(() => undefined);
  await rx?.close();
});

const tid = (page: Page, id: string) => page.getByTestId(id);

describe('alert robots on the admin screen (browser host, real Chromium)', () => {
  it('configures 企业微信 and 钉钉, the test message arrives, a wrong secret shows the robot error in Chinese', async () => {
    host = await startHost(join(work, 'data'), { KIOSK_ADMIN_PIN: PIN });
    const { context, page } = await kioskPage(browser, host.url);
    await unlockAdmin(page, PIN);
    await tid(page, 'admin-tab-alerts').click();
    await tid(page, 'admin-robot-wecom').waitFor();
    expect(await tid(page, 'admin-robot-wecom').getAttribute('data-configured')).toBe('false');
    // Nothing to test before an address is saved.
    expect(await tid(page, 'admin-robot-wecom-test').isDisabled()).toBe(true);

    // 企业微信: paste the robot's webhook, save, test.
    await tid(page, 'admin-robot-wecom-address').fill(rx.wecomUrl);
    await tid(page, 'admin-robot-wecom-save').click();
    await page.locator('[data-testid="admin-robot-wecom"][data-configured="true"]').waitFor();
    const target = (await tid(page, 'admin-robot-wecom-target').textContent()) ?? '';
    expect(target).toMatch(/已配置：127\.0\.0\.1:\d+ · key …7d2c/);
    expect(await page.content()).not.toContain(WECOM_KEY);
    expect(await tid(page, 'admin-robot-wecom-address').inputValue()).toBe('');
    await tid(page, 'admin-robot-wecom-test').click();
    const wecomResult = page.locator('[data-testid="admin-robot-wecom-result"][data-ok="true"]');
    await wecomResult.waitFor({ timeout: 20_000 });
    expect(await wecomResult.textContent()).toContain('成功');
    expect(rx.received.map((m) => m.robot)).toEqual(['wecom']);
    expect(rx.received[0]!.body).toMatchObject({ msgtype: 'markdown' });
    expect(rx.received[0]!.text).toContain('测试消息');

    // 钉钉 with a mistyped signing secret: refused by the robot, the screen says why, with its code.
    await tid(page, 'admin-robot-dingtalk-address').fill(rx.dingtalkUrl);
    await tid(page, 'admin-robot-dingtalk-secret').fill('SECmistyped');
    await tid(page, 'admin-robot-dingtalk-save').click();
    await page.locator('[data-testid="admin-robot-dingtalk"][data-configured="true"]').waitFor();
    await tid(page, 'admin-robot-dingtalk-test').click();
    const dingFailed = page.locator('[data-testid="admin-robot-dingtalk-result"][data-ok="false"]');
    await dingFailed.waitFor({ timeout: 20_000 });
    expect(await dingFailed.getAttribute('data-code')).toBe('ERRCODE_310000');
    expect(await dingFailed.textContent()).toMatch(/失败（错误码 310000）：签名不匹配/);
    expect(rx.refused).toEqual([{ robot: 'dingtalk', reason: 'sign' }]);
    await screenshot(page, 'alerts-dingtalk-refused');

    // The right secret (the address is kept): signed correctly, delivered.
    await tid(page, 'admin-robot-dingtalk-secret').fill(DING_SECRET);
    await tid(page, 'admin-robot-dingtalk-save').click();
    await page.locator('[data-testid="admin-robot-dingtalk-result"][data-ok="true"]').waitFor();
    await tid(page, 'admin-robot-dingtalk-test').click();
    await page.locator('[data-testid="admin-robot-dingtalk-result"][data-code="OK"]').waitFor({ timeout: 20_000 });
    expect(rx.received.map((m) => m.robot)).toEqual(['wecom', 'dingtalk']);
    expect(rx.received[1]!.body).toMatchObject({ msgtype: 'markdown', markdown: { title: '测试消息' } });
    expect(await page.content()).not.toContain(DING_SECRET);
    await screenshot(page, 'alerts-configured');
    await context.close();
  });
});
