// Remote settings published for a group (Ed25519) and applied by a kiosk between families, through
// the admin form's own validation; the previous settings kept, a failing apply rolled back, audited.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { harness, testCatalog, type Harness } from '../../testing/orders';
import { fleetOss } from '../../testing/fleet';
import type { FakeOss } from '../../../sim/oss/fakeOss';
import { KioskConfig } from '../config';
import { CatalogState } from '../admin/catalogOverrides';
import type { SettingsDeps } from '../admin/settings';
import { createFleetOss, type FleetOss } from './objects';
import { publishSettings, RemoteSettings } from './remoteSettings';
import { generateSigningKeys } from './sign';

let h: Harness | undefined;
let fake: FakeOss | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await h?.close();
  await fake?.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  h = undefined;
  fake = undefined;
});

const operator = generateSigningKeys();

async function setup(opts: { idle?: () => boolean; apply?: SettingsDeps extends never ? never : (d: SettingsDeps, s: unknown) => string[]; publicKeyPem?: string } = {}) {
  h = harness();
  const dir = mkdtempSync(join(tmpdir(), 'fleet-rs-'));
  dirs.push(dir);
  const x = await fleetOss();
  fake = x.fake;
  const oss: FleetOss = createFleetOss(x.config);
  const catalog = new CatalogState(h.db, testCatalog);
  const config = KioskConfig.parse({});
  const settings: SettingsDeps = { db: h.db, repo: h.repo, config, dataRoot: dir, catalog, secrets: null, activeProviders: config.providers, savedProviders: () => config.providers };
  const rs = new RemoteSettings({ oss, prefix: 'fleet/', group: 'beijing', publicKeyPem: 'publicKeyPem' in opts ? opts.publicKeyPem : operator.publicKeyPem, settings, idle: opts.idle ?? (() => true), stateFile: join(dir, 'remote-settings.json'), apply: opts.apply as never });
  const audit = () => (h!.db.prepare("SELECT action, details_json FROM audit_log WHERE actor = 'fleet' ORDER BY id").all() as { action: string; details_json: string }[]).map((r) => r.action);
  const price = (id: string) => catalog.current().packages.find((p) => p.id === id)!.priceFen;
  return { oss, rs, catalog, config, audit, price };
}

describe('remote settings', () => {
  it('a newer signed document for the group is applied between families, audited, the previous kept', async () => {
    let busy = true;
    const k = await setup({ idle: () => !busy });
    expect(await k.rs.check()).toBe('none');
    await publishSettings(k.oss, { group: 'beijing', settings: { packages: [{ id: 'print', priceFen: 2590, enabled: true }], blessing: '新春快乐 · 阖家团圆' }, privateKeyPem: operator.privateKeyPem, now: Date.parse('2026-02-01T00:00:00Z') });
    // A family is at the kiosk: nothing changes mid-order.
    expect(await k.rs.check()).toBe('deferred');
    expect(k.price('print')).toBe(1990);
    busy = false;
    expect(await k.rs.check()).toBe('applied');
    expect(k.price('print')).toBe(2590);
    expect(k.price('digital')).toBe(990);
    expect(k.config.blessing).toBe('新春快乐 · 阖家团圆');
    expect(k.rs.version()).toBe('2026-02-01T00:00:00.000Z');
    expect(k.rs.previous()?.packages.find((p) => p.id === 'print')?.priceFen).toBe(1990);
    expect(await k.rs.check()).toBe('same');
    expect(k.audit()).toEqual(['remote_settings_applied']);
  });

  it('refuses a forged, out-of-range or replayed document; fails closed without a public key', async () => {
    const k = await setup();
    const mallory = generateSigningKeys();
    await publishSettings(k.oss, { group: 'beijing', settings: { packages: [{ id: 'print', priceFen: 1, enabled: true }] }, privateKeyPem: mallory.privateKeyPem, now: Date.parse('2026-02-02T00:00:00Z') });
    expect(await k.rs.check()).toBe('refused');
    // Signed correctly but outside the admin form's range (max ¥1000) → the same rule refuses it.
    await expect(publishSettings(k.oss, { group: 'beijing', settings: { packages: [{ id: 'print', priceFen: 500_000, enabled: true }] }, privateKeyPem: operator.privateKeyPem })).rejects.toThrow(/settings invalid/);
    // An unknown package id passes the shape check but not the kiosk's catalogue check.
    await publishSettings(k.oss, { group: 'beijing', settings: { packages: [{ id: 'gold', priceFen: 100, enabled: true }] }, privateKeyPem: operator.privateKeyPem, now: Date.parse('2026-02-03T00:00:00Z') });
    expect(await k.rs.check()).toBe('refused');
    expect(k.price('print')).toBe(1990);
    // Applied once, then an older copy is put back (replay): refused.
    await publishSettings(k.oss, { group: 'beijing', settings: { packages: [{ id: 'print', priceFen: 2200, enabled: true }] }, privateKeyPem: operator.privateKeyPem, now: Date.parse('2026-02-05T00:00:00Z') });
    expect(await k.rs.check()).toBe('applied');
    await publishSettings(k.oss, { group: 'beijing', settings: { packages: [{ id: 'print', priceFen: 100, enabled: true }] }, privateKeyPem: operator.privateKeyPem, now: Date.parse('2026-02-04T00:00:00Z') });
    expect(await k.rs.check()).toBe('refused');
    expect(k.price('print')).toBe(2200);
    expect(k.audit()).toEqual(['remote_settings_refused', 'remote_settings_refused', 'remote_settings_applied', 'remote_settings_refused']);

    const open = await setup({ publicKeyPem: undefined });
    await publishSettings(open.oss, { group: 'beijing', settings: { packages: [{ id: 'print', priceFen: 2590, enabled: true }] }, privateKeyPem: operator.privateKeyPem });
    expect(await open.rs.check()).toBe('refused');
    expect(open.price('print')).toBe(1990);
  });

  it('an apply that fails half-way is rolled back to the settings before', async () => {
    const k = await setup({
      apply: (d, s) => {
        // Writes the catalogue, then fails on the next write (a full disk, a locked file).
        const o = (d as SettingsDeps).catalog.overrides();
        for (const p of (s as { packages: { id: string; priceFen: number; enabled: boolean }[] }).packages) o.packages[p.id] = { priceFen: p.priceFen, enabled: p.enabled };
        (d as SettingsDeps).catalog.save(o);
        throw new Error('ENOSPC: no space left on device');
      },
    });
    await publishSettings(k.oss, { group: 'beijing', settings: { packages: [{ id: 'print', priceFen: 2590, enabled: true }] }, privateKeyPem: operator.privateKeyPem });
    expect(await k.rs.check()).toBe('rolled_back');
    expect(k.price('print')).toBe(1990);
    expect(k.rs.version()).toBe(null);
    expect(k.audit()).toEqual(['remote_settings_rolled_back']);
    // Not retried every poll.
    expect(await k.rs.check()).toBe('refused');
  });
});
