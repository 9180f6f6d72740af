import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Package } from '../../../shared/contract';
import { KioskConfig } from '../config';
import { FakePrinter, testCatalog } from '../../testing/orders';
import { createPaperCounter } from '../print/paperCounter';
import { ClockWatch } from './clock';
import { HealthService, remoteEndpoints, type HealthDeps } from './index';

let skewed: Server;
let skewedUrl = '';
/** A port that was open a moment ago and is closed now: connection refused, fast. */
let deadUrl = '';

beforeAll(async () => {
  skewed = createServer((_req, res) => {
    // A provider whose clock is 10 minutes ahead of ours.
    res.writeHead(404, { date: new Date(Date.now() + 10 * 60_000).toUTCString() });
    res.end();
  });
  await new Promise<void>((r) => skewed.listen(0, '127.0.0.1', r));
  skewedUrl = `http://127.0.0.1:${(skewed.address() as AddressInfo).port}`;
  const tmp = createServer();
  await new Promise<void>((r) => tmp.listen(0, '127.0.0.1', r));
  deadUrl = `http://127.0.0.1:${(tmp.address() as AddressInfo).port}`;
  await new Promise((r) => tmp.close(r));
});
afterAll(async () => {
  await new Promise((r) => skewed.close(r));
});

const dir = mkdtempSync(join(tmpdir(), 'kiosk-health-'));

function service(over: Partial<HealthDeps> = {}) {
  const config = KioskConfig.parse({ providers: { payment: 'wechatpay', share: 'oss', generator: 'local', printer: 'pdf', motion: 'local' } });
  const printer = new FakePrinter();
  const paper = createPaperCounter({ file: join(dir, `paper-${Math.random()}.json`), capacity: 20, warnBelow: 5 });
  const cleanups: number[] = [];
  const deps: HealthDeps = {
    providers: config.providers,
    config,
    printer,
    paper,
    dataRoot: dir,
    version: '1.2.3',
    host: 'browser',
    diskMinFreeMb: () => 500,
    cleanup: async () => cleanups.push(1),
    packages: () => testCatalog.packages,
    endpoints: {},
    probeTimeoutMs: 1500,
    freeBytes: async () => 10_000 * 1024 * 1024,
    ...over,
  };
  return { health: new HealthService(deps), printer, paper, cleanups };
}

const item = (r: Awaited<ReturnType<HealthService['report']>>, id: string) => r.items.find((i) => i.id === id)!;

describe('health', () => {
  it('derives the endpoints to check from the providers in use', () => {
    const c = KioskConfig.parse({ oss: { region: 'cn-hangzhou' } });
    expect(remoteEndpoints({ generator: 'local', payment: 'simulated', share: 'lan', printer: 'pdf', motion: 'local' }, c)).toEqual({});
    expect(remoteEndpoints({ generator: 'jimeng', payment: 'wechatpay', share: 'oss', printer: 'pdf', motion: 'local' }, c, { WECHATPAY_ENDPOINT: 'http://127.0.0.1:9' })).toEqual({
      generator: 'https://visual.volcengineapi.com',
      payment: 'http://127.0.0.1:9',
      storage: 'https://oss-cn-hangzhou.aliyuncs.com',
    });
  });

  it('shows every embedded demo provider as DEMO, not OK (simulated payment, LAN share, local compositor, PDF printer)', async () => {
    const config = KioskConfig.parse({});
    const { health } = service({ providers: config.providers, config });
    const r = await health.report();
    for (const id of ['payment', 'storage', 'generator', 'printer']) expect(item(r, id), id).toMatchObject({ status: 'warn', code: 'DEMO' });
    expect(item(r, 'payment').detail).toMatch(/simulated payment: demo/);
  });

  it('network down: says which provider is unreachable and stops selling what needs it', async () => {
    const { health } = service({ endpoints: { payment: deadUrl, storage: skewedUrl } });
    const r = await health.report({ refresh: true });
    expect(item(r, 'network')).toMatchObject({ status: 'error', code: 'UNREACHABLE' });
    expect(item(r, 'payment')).toMatchObject({ status: 'error', code: 'UNREACHABLE' });
    expect(item(r, 'storage')).toMatchObject({ status: 'ok' });
    // The local compositor is a demo stand-in for the AI: never a green OK.
    expect(item(r, 'generator')).toMatchObject({ status: 'warn', code: 'DEMO' });
    // Paid packages need the payment provider; the free one still sells.
    expect(r.unavailable).toEqual([
      { packageId: 'digital', code: 'PAYMENT_OFFLINE' },
      { packageId: 'print', code: 'PAYMENT_OFFLINE' },
      { packageId: 'premium', code: 'PAYMENT_OFFLINE' },
    ]);
  });

  it('storage down: a download-only package pauses, the print packages keep selling', async () => {
    const { health } = service({ endpoints: { payment: skewedUrl, storage: deadUrl } });
    await health.refreshNetwork();
    const pk = (id: string, over: Partial<Package>): Package => ({ ...testCatalog.packages.find((p) => p.id === id)!, ...over });
    expect(health.unavailable([pk('digital', {}), pk('print', {})])).toEqual([{ packageId: 'digital', code: 'STORAGE_OFFLINE' }]);
  });

  it('a provider clock 10 minutes off is flagged as the likely cause of payment and signing errors', async () => {
    const { health } = service({ endpoints: { payment: skewedUrl } });
    const r = await health.report({ refresh: true });
    expect(item(r, 'clock')).toMatchObject({ status: 'error', code: 'CLOCK_WRONG' });
    expect(item(r, 'clock').detail).toMatch(/behind/);
  });

  it('clock: no reference is unknown, an impossible date is wrong, small skew is fine', () => {
    const c = new ClockWatch(() => Date.parse('2026-02-01T00:00:00Z'));
    expect(c.status().code).toBe('NO_REFERENCE');
    c.noteDateHeader('Sun, 01 Feb 2026 00:00:20 GMT', 'api');
    expect(c.status()).toMatchObject({ status: 'ok' });
    c.noteDateHeader('Sun, 01 Feb 2026 00:03:00 GMT', 'api');
    expect(c.status()).toMatchObject({ status: 'warn', code: 'CLOCK_SKEW' });
    c.noteDateHeader('not a date', 'api');
    expect(c.status()).toMatchObject({ code: 'CLOCK_SKEW' });
    expect(new ClockWatch(() => Date.parse('2001-01-01T00:00:00Z')).status()).toMatchObject({ status: 'error', code: 'CLOCK_WRONG' });
  });

  it('disk nearly full: cleans old results first, alerts only when that is not enough', async () => {
    let free = 100;
    const low = service({ freeBytes: async () => free * 1024 * 1024, cleanup: async () => (free += 1000) });
    const cleaned = await low.health.disk();
    expect(cleaned).toMatchObject({ status: 'warn', code: 'DISK_CLEANED' });
    free = 100;
    const full = service({ freeBytes: async () => free * 1024 * 1024 });
    expect(await full.health.disk()).toMatchObject({ status: 'error', code: 'DISK_LOW' });
    expect(full.cleanups).toHaveLength(1);
  });

  it('camera: unknown until reported, error when it fails, ok again when frames arrive (replugged)', async () => {
    let now = 1_000_000;
    const { health } = service({ now: () => now });
    expect(item(await health.report(), 'camera')).toMatchObject({ status: 'unknown', code: 'NOT_REPORTED' });
    health.reportCamera(false, 'NotFoundError: Requested device not found');
    expect(item(await health.report(), 'camera')).toMatchObject({ status: 'error', code: 'CAMERA_FAILED' });
    now += 1000;
    health.noteGuideFrame();
    expect(item(await health.report(), 'camera')).toMatchObject({ status: 'ok' });
  });

  it('paper: a warning when low, an error at zero, the count shown', async () => {
    const { paper, health } = service();
    paper.set(3);
    expect(item(await health.report(), 'paper')).toMatchObject({ status: 'warn', code: 'PAPER_LOW' });
    paper.set(0);
    const r = await health.report();
    expect(item(r, 'paper')).toMatchObject({ status: 'error', code: 'NO_PAPER' });
    expect(r.paper).toMatchObject({ remaining: 0, capacity: 20 });
    expect(item(r, 'version').detail).toContain('1.2.3');
  });
});
