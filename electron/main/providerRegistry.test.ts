// The registry is the one list of providers: config, admin choices, secrets and health agree with it.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDb } from './services/store/db';
import { KioskConfig } from './services/config';
import { SECRET_NAMES, settingsView } from './services/admin/settings';
import { remoteEndpoints } from './services/health';
import { defaultProviders, demoProviders, isProviderId, PROVIDER_KINDS, PROVIDERS, providerIds, providerSections, secretNames } from './providerRegistry';

describe('provider registry', () => {
  it('has unique ids per kind and a default (the first) of each kind', () => {
    for (const k of PROVIDER_KINDS) {
      const ids = providerIds(k);
      expect(ids.length, k).toBeGreaterThan(0);
      expect(new Set(ids).size, k).toBe(ids.length);
    }
    expect(defaultProviders()).toEqual({ generator: 'local', payment: 'simulated', share: 'lan', printer: 'pdf', motion: 'local' });
  });

  it('config validation accepts exactly the registry ids', () => {
    for (const p of PROVIDERS) {
      const parsed = KioskConfig.safeParse({ providers: { [p.kind]: p.id } });
      expect(parsed.success, `${p.kind}:${p.id}`).toBe(true);
    }
    expect(KioskConfig.safeParse({ providers: { payment: 'wechatpy' } }).success).toBe(false);
    expect(isProviderId('payment', 'wechatpay')).toBe(true);
    expect(isProviderId('payment', 'local')).toBe(false);
    // Every section a provider reads is a config.json section.
    const shape = Object.keys(KioskConfig.parse({}));
    for (const s of providerSections()) expect(shape).toContain(s);
  });

  it('the defaults are all embedded demos except the local motion renderer', () => {
    expect(demoProviders(defaultProviders()).map((d) => `${d.kind}:${d.id}`)).toEqual(['generator:local', 'payment:simulated', 'share:lan', 'printer:pdf']);
    expect(demoProviders({ generator: 'jimeng', payment: 'wechatpay', share: 'oss', printer: 'cups', motion: 'jimeng' })).toEqual([]);
  });

  it('the Volcengine keys are declared once for images and video; every secret name is accepted by the admin screen', () => {
    const names = secretNames();
    expect(new Set(names).size).toBe(names.length);
    expect(names.filter((n) => n.startsWith('jimeng.'))).toEqual(['jimeng.access-key', 'jimeng.secret-key']);
    // The admin screen accepts every provider secret (and the fleet's own keys besides).
    expect(SECRET_NAMES).toEqual(expect.arrayContaining(names));
    expect(names).toEqual(expect.arrayContaining(['wechatpay.private-key', 'wechatpay.apiv3-key', 'oss.access-key-id', 'oss.access-key-secret']));
  });

  it('health probes the endpoint each chosen provider declares', () => {
    const c = KioskConfig.parse({ jimeng: { endpoint: 'http://127.0.0.1:7/v' } });
    expect(remoteEndpoints({ ...defaultProviders(), motion: 'jimeng' }, c, {})).toEqual({ motion: 'http://127.0.0.1:7/v' });
  });

  it('the admin form offers the registry choices with their demo flag', () => {
    const config = KioskConfig.parse({});
    const db = openDb(join(mkdtempSync(join(tmpdir(), 'kiosk-registry-')), 'k.sqlite'));
    const view = settingsView({
      db,
      repo: null as never,
      config,
      dataRoot: '',
      catalog: { current: () => ({ packages: [], styles: [] }), base: { packages: [], styles: [] } } as never,
      secrets: null,
      activeProviders: config.providers,
      savedProviders: () => config.providers,
    } as never);
    expect(view.providerOptions.payment).toEqual([
      { id: 'simulated', label: 'simulated payment', demo: true },
      { id: 'wechatpay', label: 'WeChat Pay', demo: false },
      { id: 'alipay', label: 'Alipay', demo: false },
    ]);
    db.close();
  }, 10_000);
});
