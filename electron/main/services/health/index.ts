// The health screen's data and the kiosk's own recovery: camera (as the capture screen reports it),
// printer and paper, network reachability of the configured providers, AI / payment / storage,
// disk (old results cleaned first when it runs low, then an alert), clock, version. Network checks
// run in the background every minute, so the customer's catalogue never waits on a DNS timeout;
// their last outcome decides which packages can be sold right now.
import { statfs } from 'node:fs/promises';
import type { HealthItem, HealthReport, Package } from '../../../shared/contract';
import { logger } from '../../infra/log';
import type { ConfigProblem, KioskConfig } from '../config';
import type { PaperCounter } from '../print/paperCounter';
import type { Printer } from '../print/types';
import { ClockWatch } from './clock';
import { probeEndpoint, type ProbeResult } from './probe';
import { PROVIDER_KINDS, providerDef, type ProviderKind } from '../../providerRegistry';

const log = logger('health');

type Remote = 'generator' | 'payment' | 'storage' | 'motion';

export interface HealthDeps {
  /** The providers this run uses. */
  providers: KioskConfig['providers'];
  config: KioskConfig;
  env?: NodeJS.ProcessEnv;
  printer: Printer;
  paper: PaperCounter;
  dataRoot: string;
  version: string;
  host: 'electron' | 'browser';
  /** Current low-disk threshold (the operator may change it). */
  diskMinFreeMb: () => number;
  /** Deletes what retention allows (old results first); runs when the disk is low. */
  cleanup: () => Promise<unknown>;
  packages: () => Package[];
  clock?: ClockWatch;
  /** Endpoints to probe instead of the ones derived from config (tests: loopback only). */
  endpoints?: Partial<Record<Remote, string>>;
  probeTimeoutMs?: number;
  now?: () => number;
  freeBytes?: (dir: string) => Promise<number>;
  /** Problems found in config.json / env / provider settings (fail closed: some stop the sale). */
  configProblems?: () => ConfigProblem[];
}

/** Where each provider kind shows on the health screen (printer: its own item). */
const REMOTE_OF: Partial<Record<ProviderKind, Remote>> = { generator: 'generator', payment: 'payment', share: 'storage', motion: 'motion' };

/** The remote endpoints the running providers talk to (each provider's registry entry knows its own, env overrides included). */
export function remoteEndpoints(providers: KioskConfig['providers'], config: KioskConfig, env: NodeJS.ProcessEnv = {}): Partial<Record<Remote, string>> {
  const out: Partial<Record<Remote, string>> = {};
  for (const kind of PROVIDER_KINDS) {
    const remote = REMOTE_OF[kind];
    const url = remote ? providerDef(kind, providers[kind])?.endpoint?.(config, env) : undefined;
    if (remote && url) out[remote] = url;
  }
  return out;
}

export interface CameraReport {
  ok: boolean;
  detail: string;
  at: number;
}

export class HealthService {
  readonly clock: ClockWatch;
  private camera: CameraReport | null = null;
  private lastGuideFrame = 0;
  private probes: Partial<Record<Remote, ProbeResult>> = {};
  private probing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;
  private readonly endpoints: Partial<Record<Remote, string>>;
  private diskAlerted = false;

  constructor(private readonly deps: HealthDeps) {
    this.now = deps.now ?? Date.now;
    this.clock = deps.clock ?? new ClockWatch(this.now);
    this.endpoints = deps.endpoints ?? remoteEndpoints(deps.providers, deps.config, deps.env);
  }

  /** The capture screen opened (or failed to open) the camera. */
  reportCamera(ok: boolean, detail: string): void {
    const changed = this.camera?.ok !== ok;
    this.camera = { ok, detail: detail.slice(0, 200), at: this.now() };
    if (changed) (ok ? log.info : log.warn)('camera.reported', { ok, detail: this.camera.detail });
  }

  /** A live guidance frame arrived: the camera is delivering pictures. */
  noteGuideFrame(): void {
    this.lastGuideFrame = this.now();
  }

  /** Probes every remote endpoint (one run at a time); records Date headers for the clock check. */
  refreshNetwork(): Promise<void> {
    this.probing ??= (async () => {
      const entries = Object.entries(this.endpoints) as [Remote, string][];
      const results = await Promise.all(entries.map(async ([id, url]) => [id, await probeEndpoint(url, this.deps.probeTimeoutMs ?? 3000)] as const));
      const next: Partial<Record<Remote, ProbeResult>> = {};
      for (const [id, r] of results) {
        next[id] = r;
        if (r.ok) this.clock.noteDateHeader(r.date, new URL(r.url).host);
        const before = this.probes[id];
        if (before && before.ok !== r.ok) (r.ok ? log.info : log.warn)('network.changed', { provider: id, ok: r.ok, code: r.code });
      }
      this.probes = next;
    })().finally(() => {
      this.probing = null;
    });
    return this.probing;
  }

  /** Background checks: network every `everyMs`, disk with it (cleanup when low). */
  start(everyMs = 60_000): void {
    const tick = () => {
      void this.refreshNetwork().catch((e) => log.warn('network.check_failed', { error: e as Error }));
      void this.disk().catch((e) => log.warn('disk.check_failed', { error: e as Error }));
    };
    tick();
    this.timer = setInterval(tick, everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Packages that cannot be sold with what is reachable right now, and why. */
  unavailable(packages: Package[] = this.deps.packages()): { packageId: string; code: string }[] {
    const down = (id: Remote) => this.probes[id] !== undefined && !this.probes[id]!.ok;
    const out: { packageId: string; code: string }[] = [];
    for (const p of packages) {
      if (!p.enabled) continue;
      if (p.priceFen > 0 && down('payment')) out.push({ packageId: p.id, code: 'PAYMENT_OFFLINE' });
      else if (p.download && !p.print && down('storage')) out.push({ packageId: p.id, code: 'STORAGE_OFFLINE' });
      else if (p.motion && down('motion')) out.push({ packageId: p.id, code: 'MOTION_OFFLINE' });
    }
    return out;
  }

  private cameraItem(): HealthItem {
    const recentFrame = this.lastGuideFrame > 0 && this.now() - this.lastGuideFrame < 10 * 60_000;
    if (this.camera && !this.camera.ok) {
      // A failure report is superseded by frames arriving after it (the camera was plugged back in).
      if (this.lastGuideFrame > this.camera.at) return { id: 'camera', status: 'ok', code: 'OK', detail: 'frames arriving again' };
      return { id: 'camera', status: 'error', code: 'CAMERA_FAILED', detail: this.camera.detail || 'the capture screen could not open the camera' };
    }
    if (recentFrame) return { id: 'camera', status: 'ok', code: 'OK', detail: `last frame ${Math.round((this.now() - this.lastGuideFrame) / 1000)} s ago` };
    if (this.camera?.ok) return { id: 'camera', status: 'ok', code: 'OK', detail: this.camera.detail || 'opened by the capture screen' };
    return { id: 'camera', status: 'unknown', code: 'NOT_REPORTED', detail: 'no capture since start; open the capture screen to test' };
  }

  private async printerItems(): Promise<HealthItem[]> {
    const s = await Promise.race([
      this.deps.printer.status(),
      new Promise<{ ready: false; code: string; detail: string }>((r) => setTimeout(() => r({ ready: false, code: 'TIMEOUT', detail: 'printer status did not answer in 5 s' }), 5000).unref()),
    ]).catch((e: Error) => ({ ready: false, code: 'ERROR', detail: e.message }));
    const paper = this.deps.paper.get();
    const warnBelow = paperWarn(this.deps.config);
    // A demo printer (PDF folder) is never a green OK: nothing comes out of a printer.
    const demo = s.ready && providerDef('printer', this.deps.providers.printer)?.demo === true;
    return [
      demo
        ? { id: 'printer', status: 'warn', code: 'DEMO', detail: `${this.deps.printer.name}: demo printer, prints are written as PDF files` }
        : { id: 'printer', status: s.ready ? 'ok' : 'error', code: s.ready ? 'OK' : s.code === 'NO_PAPER' ? 'NO_PAPER' : 'PRINTER_NOT_READY', detail: `${this.deps.printer.name}: ${s.code}${s.detail ? ` ${s.detail}` : ''}` },
      {
        id: 'paper',
        status: paper.remaining === 0 ? 'error' : paper.remaining < warnBelow ? 'warn' : 'ok',
        code: paper.remaining === 0 ? 'NO_PAPER' : paper.remaining < warnBelow ? 'PAPER_LOW' : 'OK',
        detail: `${paper.remaining} of ${paper.capacity} left (${paper.printedTotal} printed in total)`,
      },
    ];
  }

  /** A provider's item: DEMO for an embedded stand-in (never a green OK), LOCAL when it needs no network, else its probe. */
  private remoteItem(id: 'generator' | 'payment' | 'storage', kind: ProviderKind): HealthItem {
    const def = providerDef(kind, this.deps.providers[kind]);
    const name = def?.label ?? this.deps.providers[kind];
    if (def?.demo) return { id, status: 'warn', code: 'DEMO', detail: `${name}: demo provider, not the real service — choose a real one in the settings` };
    const local = !def?.endpoint?.(this.deps.config, this.deps.env ?? {});
    if (local) return { id, status: 'ok', code: 'LOCAL', detail: `${name} (works offline)` };
    const p = this.probes[id];
    if (!p) return { id, status: 'unknown', code: 'NOT_CHECKED', detail: `${name}: not checked yet` };
    return { id, status: p.ok ? 'ok' : 'error', code: p.ok ? 'OK' : p.code, detail: `${name}: ${p.detail} (${p.ms} ms)` };
  }

  /** config.json, env and provider settings: names each bad field; SALE_STOPPED when one is a money setting. */
  private configItem(): HealthItem {
    const problems = this.deps.configProblems?.() ?? [];
    if (problems.length === 0) return { id: 'config', status: 'ok', code: 'OK', detail: 'config.json and provider settings valid' };
    const stops = problems.some((p) => p.stopsSale);
    const detail = problems.map((p) => `${p.path}: ${p.message}`).join('; ').slice(0, 600);
    return { id: 'config', status: stops ? 'error' : 'warn', code: stops ? 'SALE_STOPPED' : 'CONFIG_INVALID', detail };
  }

  private networkItem(): HealthItem {
    const all = Object.values(this.probes);
    if (Object.keys(this.endpoints).length === 0) return { id: 'network', status: 'ok', code: 'LOCAL_ONLY', detail: 'all providers are local; no network needed' };
    if (all.length === 0) return { id: 'network', status: 'unknown', code: 'NOT_CHECKED', detail: 'checking…' };
    const bad = all.filter((p) => !p.ok);
    if (bad.length === 0) return { id: 'network', status: 'ok', code: 'OK', detail: all.map((p) => `${new URL(p.url).host} ${p.ms} ms`).join(', ') };
    return { id: 'network', status: 'error', code: 'UNREACHABLE', detail: bad.map((p) => p.detail).join('; ') };
  }

  /**
   * Free space of the data directory. Below the threshold: run retention (old results and
   * originals past their time go first); still below: an alert on the health screen and in the log.
   */
  async disk(): Promise<HealthItem> {
    const free = this.deps.freeBytes ?? defaultFreeBytes;
    const minMb = this.deps.diskMinFreeMb();
    let mb = Math.floor((await free(this.deps.dataRoot)) / 1024 / 1024);
    if (mb >= minMb) {
      this.diskAlerted = false;
      return { id: 'disk', status: 'ok', code: 'OK', detail: `${mb} MB free (alert below ${minMb} MB)` };
    }
    await this.deps.cleanup();
    const after = Math.floor((await free(this.deps.dataRoot)) / 1024 / 1024);
    const freed = Math.max(0, after - mb);
    mb = after;
    if (mb >= minMb) {
      log.info('disk.cleaned', { freeMb: mb, freedMb: freed });
      return { id: 'disk', status: 'warn', code: 'DISK_CLEANED', detail: `${mb} MB free after removing old results (${freed} MB freed)` };
    }
    if (!this.diskAlerted) log.error('disk.low', { freeMb: mb, minMb });
    this.diskAlerted = true;
    return { id: 'disk', status: 'error', code: 'DISK_LOW', detail: `only ${mb} MB free after cleaning (alert below ${minMb} MB)` };
  }

  async report(opts: { refresh?: boolean } = {}): Promise<HealthReport> {
    if (opts.refresh || (Object.keys(this.probes).length === 0 && Object.keys(this.endpoints).length > 0)) await this.refreshNetwork();
    const [printerItems, disk] = await Promise.all([
      this.printerItems(),
      this.disk().catch((e: Error): HealthItem => ({ id: 'disk', status: 'unknown', code: 'NOT_CHECKED', detail: e.message })),
    ]);
    const clock = this.clock.status();
    const paper = this.deps.paper.get();
    return {
      checkedAt: new Date(this.now()).toISOString(),
      items: [
        this.cameraItem(),
        ...printerItems,
        this.networkItem(),
        this.remoteItem('generator', 'generator'),
        this.remoteItem('payment', 'payment'),
        this.remoteItem('storage', 'share'),
        disk,
        this.configItem(),
        { id: 'clock', ...clock },
        { id: 'version', status: 'ok', code: 'OK', detail: `${this.deps.version} (${this.deps.host} host, Node ${process.versions.node})` },
      ],
      unavailable: this.unavailable(),
      paper: { capacity: paper.capacity, remaining: paper.remaining, low: paper.remaining < paperWarn(this.deps.config), printedTotal: paper.printedTotal },
    };
  }
}

function paperWarn(config: KioskConfig): number {
  const paper = config.print.paper;
  const w = typeof paper === 'object' && paper !== null ? (paper as { warnBelow?: unknown }).warnBelow : undefined;
  return typeof w === 'number' ? w : 30;
}

async function defaultFreeBytes(dir: string): Promise<number> {
  const s = await statfs(dir);
  return Number(s.bavail) * Number(s.bsize);
}

export { ClockWatch } from './clock';
export { probeEndpoint } from './probe';
