// Issue 13.1 and 13.4 through the whole composition root (createKiosk, the browser host's
// services): a typo in a money setting does not start simulated payment, issue a new PIN or
// rewrite config.json; the customer gets 暂停服务 and the operator the bad field.
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createKiosk, type Kiosk } from './app';
import { hashPin } from './services/config/pin';

let kiosk: Kiosk | undefined;
afterEach(async () => {
  await kiosk?.close();
  kiosk = undefined;
  vi.restoreAllMocks();
});

const ENV = { KIOSK_PHONE_PORT: '0', KIOSK_LOG_QUIET: '1' };

async function start(dir: string, env: Record<string, string> = {}): Promise<{ k: Kiosk; stdout: string }> {
  let stdout = '';
  const real = process.stdout.write.bind(process.stdout);
  vi.spyOn(process.stdout, 'write').mockImplementation(((chunk: string | Uint8Array, ...rest: unknown[]) => {
    stdout += String(chunk);
    return (real as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stdout.write);
  kiosk = await createKiosk({ dataDir: dir, host: 'browser', version: 'test', env: { ...ENV, ...env } });
  return { k: kiosk, stdout };
}

async function failure(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    return e as { code: string; message: string };
  }
  throw new Error('expected a refusal');
}

describe('fail closed through createKiosk', () => {
  for (const [name, text] of [
    ['providers.payment "wechatpay" + paymentTimeoutSec 30', (hash: string) => JSON.stringify({ providers: { payment: 'wechatpay' }, paymentTimeoutSec: 30, adminPinHash: hash, dailyRefundCapFen: 12_345 }, null, 2)],
    ['malformed JSON', (hash: string) => `{\n "providers": { "payment": "wechatpay" },\n "adminPinHash": "${hash}",\n "dailyRefundCapFen": 12345,\n}`],
  ] as const) {
    it(`${name}: no simulated payment, no new PIN, file untouched, refund cap kept, sale stopped with the field named`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'kiosk-failclosed-'));
      const hash = await hashPin('246813');
      const file = text(hash);
      writeFileSync(join(dir, 'config.json'), file);
      const { k, stdout } = await start(dir);

      expect(k.providers.simPayment).toBeNull();
      expect(k.providers.payment.name).not.toBe('simulated');
      expect(stdout).not.toMatch(/ADMIN_PIN=/);
      expect(existsSync(join(dir, 'admin-pin.txt'))).toBe(false);
      expect(readFileSync(join(dir, 'config.json'), 'utf8')).toBe(file);
      expect(readdirSync(dir).filter((f) => f.startsWith('config.json'))).toEqual(['config.json']);
      expect(k.config.adminPinHash).toBe(hash);
      // The cap is never reset to the default: kept, or — unknown, with no last good file — none at all.
      expect(k.config.dailyRefundCapFen).toBe(name.startsWith('malformed') ? 0 : 12_345);

      // The customer: 暂停服务 instead of the attract loop, and no order can start.
      const catalog = await k.handlers['app:get-catalog']({});
      expect(catalog.settings.saleStopped?.fields.length).toBeGreaterThan(0);
      expect(await failure(k.handlers['session:accept-consent']({ lang: 'zh', consent: true }))).toMatchObject({ code: 'SALE_STOPPED', message: expect.stringMatching(/暂停服务/) });

      // The operator: the old PIN still opens the admin screen, whose health names the bad field.
      const { token } = await k.handlers['admin:unlock']({ pin: '246813' });
      const health = await k.handlers['admin:get-health']({ token });
      const cfg = health.items.find((i) => i.id === 'config')!;
      expect(cfg).toMatchObject({ status: 'error', code: 'SALE_STOPPED' });
      expect(cfg.detail).toMatch(name.startsWith('malformed') ? /\(file\): config\.json is not valid JSON/ : /paymentTimeoutSec/);
      // WeChat Pay stays the provider; its missing merchant settings are named too (unless the choice itself is unknown).
      if (!name.startsWith('malformed')) expect(cfg.detail).toMatch(/wechatpay\.mchid/);
      // Saving settings would rewrite the broken file: refused, file untouched.
      const view = await k.handlers['admin:get-settings']({ token });
      expect((await failure(k.handlers['admin:save-settings']({ token, settings: view.settings }))).code).toBe('CONFIG_INVALID');
      expect(readFileSync(join(dir, 'config.json'), 'utf8')).toBe(file);
    }, 60_000);
  }

  it('simulated payment with the phone listener open to the LAN: sale stopped unless allowDemoPayment; the demo ribbon data is there', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kiosk-lan-demo-'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ phone: { host: '0.0.0.0' } }));
    const { k } = await start(dir, { KIOSK_ADMIN_PIN: '135790' });
    const catalog = await k.handlers['app:get-catalog']({});
    expect(catalog.settings.saleStopped?.fields).toEqual(['providers.payment']);
    expect(catalog.settings.demo).toEqual(['generator', 'payment', 'share', 'printer']);
    expect((await failure(k.handlers['session:accept-consent']({ lang: 'zh', consent: true }))).code).toBe('SALE_STOPPED');
    await k.close();
    kiosk = undefined;

    writeFileSync(join(dir, 'config.json'), JSON.stringify({ phone: { host: '0.0.0.0' }, allowDemoPayment: true }));
    const again = await start(dir, { KIOSK_ADMIN_PIN: '135790' });
    expect((await again.k.handlers['app:get-catalog']({})).settings.saleStopped).toBeNull();
    const order = await again.k.handlers['session:accept-consent']({ lang: 'zh', consent: true });
    expect(order.state).toBe('created');
  }, 60_000);
});
