// Fail closed, never fail free (issue 13.1): a bad config.json never changes a provider, never
// resets the refund cap, is never rewritten, and stops the sale when a money setting is in doubt.
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KioskFailure } from '../../../shared/result';
import { patchConfigFile } from '../admin/configFile';
import { KioskConfig, lastGoodPath, loadConfig } from '.';

const fresh = () => mkdtempSync(join(tmpdir(), 'kiosk-config-'));
const write = (dir: string, v: unknown) => writeFileSync(join(dir, 'config.json'), typeof v === 'string' ? v : JSON.stringify(v, null, 2));
const HASH = 'scrypt$16384$8$1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA==';

describe('config: fail closed', () => {
  it('first run writes the defaults and keeps them as the last good file', () => {
    const dir = fresh();
    const r = loadConfig(dir, {});
    expect(r.firstRun).toBe(true);
    expect(r.problems).toEqual([]);
    expect(existsSync(lastGoodPath(join(dir, 'config.json')))).toBe(true);
  });

  it('wechatpay + an out-of-range paymentTimeoutSec: keeps WeChat Pay, the PIN and the refund cap, stops the sale, never rewrites the file', () => {
    const dir = fresh();
    write(dir, { providers: { payment: 'wechatpay' }, paymentTimeoutSec: 30, adminPinHash: HASH, dailyRefundCapFen: 12_345, blessing: '阖家欢乐' });
    const before = readFileSync(join(dir, 'config.json'));
    const r = loadConfig(dir, {});
    expect(r.config.providers.payment).toBe('wechatpay');
    expect(r.config.adminPinHash).toBe(HASH);
    expect(r.config.dailyRefundCapFen).toBe(12_345);
    expect(r.config.blessing).toBe('阖家欢乐');
    expect(r.config.paymentTimeoutSec).toBe(180);
    expect(r.fileState).toBe('invalid');
    expect(r.problems).toEqual([expect.objectContaining({ path: 'paymentTimeoutSec', stopsSale: true })]);
    expect(readFileSync(join(dir, 'config.json'))).toEqual(before);
    expect(readdirSync(dir).sort()).toEqual(['config.json']);
  });

  it('a bad field takes the last good value, not the default', () => {
    const dir = fresh();
    write(dir, { paymentTimeoutSec: 600, idleTimeoutSec: 120 });
    expect(loadConfig(dir, {}).problems).toEqual([]);
    write(dir, { paymentTimeoutSec: 600, idleTimeoutSec: 5 });
    const r = loadConfig(dir, {});
    expect(r.config.idleTimeoutSec).toBe(120);
    // Not a money setting: reported, but the kiosk keeps selling.
    expect(r.problems).toEqual([expect.objectContaining({ path: 'idleTimeoutSec', stopsSale: false })]);
  });

  it('malformed JSON: the last good file is used whole, the PIN hash is found in the broken text, nothing is written', () => {
    const dir = fresh();
    write(dir, { providers: { payment: 'wechatpay' }, dailyRefundCapFen: 777 });
    loadConfig(dir, {});
    const broken = `{ "providers": { "payment": "wechatpay" }, "adminPinHash": "${HASH}", "dailyRefundCapFen": 777,, }`;
    write(dir, broken);
    const r = loadConfig(dir, {});
    expect(r.fileState).toBe('unreadable');
    expect(r.config.providers.payment).toBe('wechatpay');
    expect(r.config.dailyRefundCapFen).toBe(777);
    expect(r.config.adminPinHash).toBe(HASH);
    expect(r.problems[0]).toMatchObject({ path: '(file)', stopsSale: true });
    expect(readFileSync(join(dir, 'config.json'), 'utf8')).toBe(broken);
    expect(readdirSync(dir).sort()).toEqual(['config.json', 'config.json.last-good']);
  });

  it('a typo in KIOSK_PAYMENT stops the sale instead of leaving the file’s provider selling', () => {
    const dir = fresh();
    write(dir, {});
    const r = loadConfig(dir, { KIOSK_PAYMENT: 'wechatpy' });
    expect(r.problems).toEqual([expect.objectContaining({ path: 'env KIOSK_PAYMENT', stopsSale: true })]);
    const t = loadConfig(dir, { KIOSK_PAYMENT_TIMEOUT_SEC: '30' });
    expect(t.problems).toEqual([expect.objectContaining({ path: 'env KIOSK_PAYMENT_TIMEOUT_SEC', stopsSale: true })]);
    expect(t.config.paymentTimeoutSec).toBe(180);
  });

  it('the admin screen never writes over a file with errors', () => {
    const dir = fresh();
    const text = JSON.stringify({ paymentTimeoutSec: 30, wechatpay: { mchid: '1900000109' } });
    write(dir, text);
    let err: unknown;
    try {
      patchConfigFile(dir, (c) => {
        c.blessing = 'x';
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KioskFailure);
    expect((err as KioskFailure).code).toBe('CONFIG_INVALID');
    expect(readFileSync(join(dir, 'config.json'), 'utf8')).toBe(text);
  });
});

describe('config: demo payment on the LAN', () => {
  it('simulated payment with the phone listener on 0.0.0.0 stops the sale unless allowDemoPayment is set', () => {
    const dir = fresh();
    write(dir, { phone: { host: '0.0.0.0' } });
    expect(loadConfig(dir, {}).problems).toEqual([expect.objectContaining({ path: 'providers.payment', stopsSale: true })]);
    expect(loadConfig(dir, { KIOSK_PHONE_HOST: '127.0.0.1' }).problems).toEqual([]);
    write(dir, { phone: { host: '0.0.0.0' }, allowDemoPayment: true });
    expect(loadConfig(dir, {}).problems).toEqual([]);
    // A real payment provider on the LAN is the normal set-up.
    write(dir, { phone: { host: '0.0.0.0' }, providers: { payment: 'wechatpay' } });
    expect(loadConfig(dir, {}).problems).toEqual([]);
    expect(KioskConfig.parse({}).allowDemoPayment).toBe(false);
  });
});
