// Provider outcomes survive a restart: the 15-minute window behind the "success rate below 99 %"
// alert and the failure counts the next heartbeat reports are still there after the kiosk restarts
// (or is killed), and counts a beat already took are not reported twice.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { healthReport } from '../../testing/fleet';
import { until } from '../../testing/orders';
import { currentConditions } from './alerts/conditions';
import { Outcomes } from './outcomes';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fleet-outcomes-'));
  file = join(dir, 'fleet-outcomes.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const WINDOW = 15 * 60_000;
const alerts = (o: Outcomes) =>
  currentConditions({ health: healthReport(), outcomes: o, windowMs: WINDOW, successRateBelow: 0.99, minCalls: 3, paperLowAt: null, attention: {}, crashRestart: false }).map((c) => c.key);

describe('provider outcomes across a restart', () => {
  it('count, restart, still counted: the payment alert still fires and the next beat still reports the failures', () => {
    let t = Date.parse('2026-02-01T10:00:00Z');
    const before = new Outcomes({ now: () => t, file });
    for (let i = 0; i < 6; i++) before.record('payment', true);
    before.record('payment', false, 'TIMEOUT');
    before.record('payment', false, 'SYSTEMERROR');
    before.record('ai', true);
    expect(alerts(before)).toEqual(['rate:payment']);
    before.flush(); // what stop() does

    t += 60_000;
    const after = new Outcomes({ now: () => t, file });
    expect(after.rate('payment', WINDOW)).toEqual({ calls: 8, failed: 2, rate: 0.75 });
    expect(alerts(after)).toEqual(['rate:payment']);
    expect(after.take()).toEqual({ calls: { payment: { ok: 6, failed: 2 }, ai: { ok: 1, failed: 0 } }, failures: { payment: { TIMEOUT: 1, SYSTEMERROR: 1 } } });

    // The beat took them: a second restart must not report them again, but the window stays.
    const again = new Outcomes({ now: () => t, file });
    expect(again.take()).toEqual({ calls: {}, failures: {} });
    expect(again.rate('payment', WINDOW).calls).toBe(8);
    // After the window has passed, the alert clears even across a restart.
    t += WINDOW + 1;
    expect(alerts(new Outcomes({ now: () => t, file }))).toEqual([]);
  });

  it('killed without stop: what was recorded more than flushMs before the kill is kept', async () => {
    const o = new Outcomes({ file, flushMs: 30 });
    o.record('upload', false, 'NETWORK');
    o.record('upload', false, 'NETWORK');
    o.record('upload', false, 'NETWORK');
    await until(() => existsSync(file), 'the outcomes file written', 2_000);
    // No flush(), no stop(): a new process simply reads the file.
    const next = new Outcomes({ file });
    expect(next.rate('upload', WINDOW)).toEqual({ calls: 3, failed: 3, rate: 0 });
    expect(alerts(next)).toEqual(['rate:upload']);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('bounded: 5,000 events and 50 codes per provider at most; a damaged file starts empty, not broken', () => {
    const o = new Outcomes({ file });
    for (let i = 0; i < 6000; i++) o.record('ai', false, `CODE_${i}`);
    o.flush();
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { events: unknown[]; counts: { failures: { ai: Record<string, number> } } };
    expect(saved.events.length).toBe(5000);
    expect(Object.keys(saved.counts.failures.ai).length).toBe(50);
    expect(saved.counts.failures.ai.OTHER).toBe(6000 - 49);
    expect(readFileSync(file).length).toBeLessThan(200_000);
    writeFileSync(file, '{"v":1,"events":[[1,"payment"');
    const fresh = new Outcomes({ file });
    expect(fresh.take()).toEqual({ calls: {}, failures: {} });
    fresh.record('payment', true);
    expect(fresh.rate('payment', WINDOW).calls).toBe(1);
  });
});
