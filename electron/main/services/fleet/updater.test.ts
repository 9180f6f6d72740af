// The updater's logic at its seams (electron-updater needs Electron's binary, absent here): a fake
// AppUpdater records what the kiosk asks of it.
import { describe, expect, it } from 'vitest';
import { FleetConfig } from './config';
import { KioskUpdater, setStagingPercentage, updateFeed, type UpdaterLike } from './updater';

function fakeUpdater() {
  const listeners: Record<string, ((x: never) => void)[]> = {};
  const u = {
    autoDownload: false,
    autoInstallOnAppQuit: true,
    allowDowngrade: false,
    channel: null as string | null,
    feed: null as unknown,
    checks: 0,
    installs: [] as [boolean | undefined, boolean | undefined][],
    setFeedURL(o: unknown) {
      this.feed = o;
    },
    async checkForUpdates() {
      this.checks++;
      return null;
    },
    on(event: string, fn: (x: never) => void) {
      (listeners[event] ??= []).push(fn);
      return this;
    },
    emit(event: string, x: unknown) {
      for (const fn of listeners[event] ?? []) fn(x as never);
    },
    quitAndInstall(a?: boolean, b?: boolean) {
      this.installs.push([a, b]);
    },
  };
  return u satisfies UpdaterLike;
}

describe('staged updates', () => {
  it('no feed configured: no updater (the default)', () => {
    expect(updateFeed(FleetConfig.parse({}))).toBeNull();
    expect(updateFeed(FleetConfig.parse({ group: 'Beijing_1', updates: { feedUrl: 'https://updates.example.com/kiosk' } }))).toEqual({ provider: 'generic', url: 'https://updates.example.com/kiosk/', channel: 'beijing-1' });
    expect(updateFeed(FleetConfig.parse({ group: 'x', updates: { feedUrl: 'https://u.example.com/k/', channel: 'pilot' } }))?.channel).toBe('pilot');
  });

  it('reads the group\'s channel, downloads in the background, installs only when idle and the mall is closed', async () => {
    const u = fakeUpdater();
    let now = new Date(2026, 1, 1, 14, 0).getTime();
    let idle = false;
    const k = new KioskUpdater({ updater: u, feed: { provider: 'generic', url: 'https://u.example.com/', channel: 'beijing' }, checkHours: 6, idle: () => idle, now: () => now });
    expect(u).toMatchObject({ autoDownload: true, autoInstallOnAppQuit: false, allowDowngrade: true, channel: 'beijing', feed: { provider: 'generic', url: 'https://u.example.com/', channel: 'beijing' } });
    await k.check();
    expect(u.checks).toBe(1);
    expect(k.maybeInstall()).toBe(false); // nothing downloaded
    u.emit('update-downloaded', { version: '1.5.0' });
    expect(k.pending()?.version).toBe('1.5.0');
    idle = true;
    expect(k.maybeInstall()).toBe(false); // 14:00, the mall is open
    now = new Date(2026, 1, 2, 3, 0).getTime();
    idle = false;
    expect(k.maybeInstall()).toBe(false); // 03:00 but a family is at the kiosk
    idle = true;
    expect(k.maybeInstall()).toBe(true);
    expect(u.installs).toEqual([[true, true]]);
  });

  it('a 24-hour mall still updates after forceAfterHours, between families', () => {
    const u = fakeUpdater();
    let now = new Date(2026, 1, 1, 12, 0).getTime();
    const k = new KioskUpdater({ updater: u, feed: { provider: 'generic', url: 'https://u.example.com/', channel: 'c' }, checkHours: 6, idle: () => true, now: () => now, forceAfterHours: 24 });
    u.emit('update-downloaded', { version: '2.0.0' });
    now += 23 * 3_600_000;
    expect(k.maybeInstall()).toBe(false);
    now += 2 * 3_600_000;
    expect(k.maybeInstall()).toBe(true);
  });

  it('the rollout knob: stagingPercentage in the channel file', () => {
    const yml = 'version: 1.5.0\nfiles:\n  - url: kiosk-1.5.0.exe\n    sha512: abc\npath: kiosk-1.5.0.exe\nreleaseDate: 2026-02-01T00:00:00.000Z\n';
    const s10 = setStagingPercentage(yml, 10);
    expect(s10).toMatch(/\nstagingPercentage: 10\n$/);
    expect(setStagingPercentage(s10, 50)).toContain('stagingPercentage: 50');
    expect(setStagingPercentage(s10, 50).match(/stagingPercentage/g)).toHaveLength(1);
    expect(() => setStagingPercentage(yml, 120)).toThrow();
    expect(() => setStagingPercentage('hello: 1', 10)).toThrow(/channel file/);
  });
});
