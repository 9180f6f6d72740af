// Staged updates for the Electron shell: electron-updater against a generic feed on OSS (or a CDN in
// front of it). Each kiosk group reads its own channel (`<channel>.yml`, default the group's name),
// and electron-updater's `stagingPercentage` in that file rolls a release out to a share of the
// group's kiosks first (each kiosk's stable random id decides whether it is in the share). A
// downloaded update is installed only when no family is at the kiosk and the mall is closed (or
// after `forceAfterHours`), by quitting and restarting the app.
//
// Electron's binary is not available here: everything below talks to an `UpdaterLike` (the subset of
// electron-updater's AppUpdater the kiosk uses), so the logic is unit-tested with a fake, and
// `electron/main/index.ts` passes the real `autoUpdater` only in a packaged app.
import { logger } from '../../infra/log';
import type { FleetConfig } from './config';

const log = logger('fleet.updater');

/** The part of electron-updater's AppUpdater the kiosk uses. */
export interface UpdaterLike {
  autoDownload: boolean;
  autoInstallOnAppQuit: boolean;
  allowDowngrade: boolean;
  channel: string | null;
  setFeedURL(options: { provider: 'generic'; url: string; channel?: string }): void;
  checkForUpdates(): Promise<unknown>;
  on(event: 'update-downloaded', listener: (info: { version: string }) => void): unknown;
  on(event: 'error', listener: (e: Error) => void): unknown;
  quitAndInstall(isSilent?: boolean, isForceRunAfter?: boolean): void;
}

export interface UpdateFeed {
  provider: 'generic';
  url: string;
  channel: string;
}

/** The feed for this kiosk, or null when updates are not configured (the default: no surprises). */
export function updateFeed(config: FleetConfig): UpdateFeed | null {
  const url = config.updates.feedUrl;
  if (!url) return null;
  return { provider: 'generic', url: url.endsWith('/') ? url : `${url}/`, channel: config.updates.channel ?? config.group.toLowerCase().replace(/[^a-z0-9-]/g, '-') };
}

export interface KioskUpdaterOptions {
  updater: UpdaterLike;
  feed: UpdateFeed;
  checkHours: number;
  /** No family at the kiosk. */
  idle: () => boolean;
  /** Local hours in which installing is allowed (the mall is closed), e.g. [2, 6). */
  installWindow?: [number, number];
  /** Install anyway (when idle) this long after the download, so a 24 h mall still updates. */
  forceAfterHours?: number;
  now?: () => number;
  /** Audit/log hook: checked, downloaded, installing, error. */
  onEvent?: (event: string, detail: Record<string, unknown>) => void;
}

export class KioskUpdater {
  private downloaded: { version: string; at: number } | null = null;
  private timers: NodeJS.Timeout[] = [];
  private readonly now: () => number;

  constructor(private readonly o: KioskUpdaterOptions) {
    this.now = o.now ?? Date.now;
    const u = o.updater;
    // Download in the background; never install on a quit the kiosk did not plan.
    u.autoDownload = true;
    u.autoInstallOnAppQuit = false;
    // Rolling a group back = publishing the older version on its channel.
    u.allowDowngrade = true;
    u.channel = o.feed.channel;
    u.setFeedURL({ provider: 'generic', url: o.feed.url, channel: o.feed.channel });
    u.on('update-downloaded', (info) => {
      this.downloaded = { version: info.version, at: this.now() };
      this.event('downloaded', { version: info.version });
    });
    u.on('error', (e) => this.event('error', { message: e.message.slice(0, 200) }));
  }

  private event(name: string, detail: Record<string, unknown>): void {
    log.info(name, detail);
    this.o.onEvent?.(name, detail);
  }

  pending(): { version: string; at: number } | null {
    return this.downloaded;
  }

  async check(): Promise<void> {
    this.event('checking', { channel: this.o.feed.channel });
    await this.o.updater.checkForUpdates();
  }

  /** Installs a downloaded update if the kiosk is idle and it is the time for it. Returns whether it did. */
  maybeInstall(): boolean {
    if (!this.downloaded || !this.o.idle()) return false;
    const [from, to] = this.o.installWindow ?? [2, 6];
    const hour = new Date(this.now()).getHours();
    const inWindow = from <= to ? hour >= from && hour < to : hour >= from || hour < to;
    const overdue = this.now() - this.downloaded.at > (this.o.forceAfterHours ?? 48) * 3_600_000;
    if (!inWindow && !overdue) return false;
    this.event('installing', { version: this.downloaded.version, overdue });
    this.o.updater.quitAndInstall(true, true);
    return true;
  }

  start(): void {
    const run = () => void this.check().catch((e: unknown) => this.event('error', { message: String((e as Error).message).slice(0, 200) }));
    const first = setTimeout(run, 5 * 60_000);
    const checks = setInterval(run, this.o.checkHours * 3_600_000);
    const installs = setInterval(() => this.maybeInstall(), 5 * 60_000);
    for (const t of [first, checks, installs]) t.unref();
    this.timers.push(first, checks, installs);
  }

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
  }
}

/** Sets (or adds) `stagingPercentage:` in a channel file (`beijing.yml`): the staged-rollout knob. */
export function setStagingPercentage(yml: string, percent: number): string {
  if (!Number.isInteger(percent) || percent < 0 || percent > 100) throw new Error('percentage must be 0..100');
  if (!/^version:/m.test(yml)) throw new Error('not an electron-updater channel file (no version:)');
  if (/^stagingPercentage:.*$/m.test(yml)) return yml.replace(/^stagingPercentage:.*$/m, `stagingPercentage: ${percent}`);
  return `${yml.replace(/\s*$/, '')}\nstagingPercentage: ${percent}\n`;
}
