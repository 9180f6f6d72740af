// Sends what currentConditions() reports to the configured robots: once when a condition appears,
// "recovered" when it clears, nothing while it holds unless its count grows (also across restarts: the active set is kept
// in a file). Messages go through the persistent upload queue (one task per robot), so an alert
// raised while the mall's network is down is delivered when it comes back, even after a restart.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../../infra/files';
import { logger } from '../../../infra/log';
import { createUploadQueue, type UploadQueue } from '../../share/uploadQueue';
import type { SecretReader } from '../config';
import type { Condition } from './conditions';
import { configuredRobots, RobotError, sendToRobot, type AlertMessage, type RobotKind } from './robots';

const log = logger('fleet.alerts');

export interface AlerterOptions {
  dir: string;
  kioskId: string;
  group: () => string;
  secrets: SecretReader;
  /** The operator's on/off per robot (admin screen); all on when absent. A test message ignores it. */
  enabled?: (robot: RobotKind) => boolean;
  now?: () => number;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

interface ActiveState {
  active: Record<string, { since: string; title: string; count?: number }>;
}

export interface SentRecord {
  robot: RobotKind;
  message: AlertMessage;
}

export class Alerter {
  readonly queue: UploadQueue;
  private state: ActiveState;
  private readonly stateFile: string;
  private readonly outDir: string;
  private readonly now: () => number;
  private n = 0;

  constructor(private readonly o: AlerterOptions) {
    this.now = o.now ?? Date.now;
    this.stateFile = join(o.dir, 'alerts-state.json');
    this.outDir = join(o.dir, 'alerts-outbox');
    mkdirSync(this.outDir, { recursive: true });
    this.state = { active: {} };
    try {
      if (existsSync(this.stateFile)) this.state = { active: (JSON.parse(readFileSync(this.stateFile, 'utf8')) as Partial<ActiveState>).active ?? {} };
    } catch (e) {
      log.error('state.unreadable', { error: e as Error });
    }
    this.queue = createUploadQueue({
      stateFile: join(o.dir, 'alerts-queue.json'),
      now: o.now,
      baseDelayMs: o.baseDelayMs ?? 5000,
      maxDelayMs: o.maxDelayMs ?? 5 * 60_000,
      // An alert older than a day is no longer news; the heartbeat history keeps the facts.
      giveUpAfterMs: 86_400_000,
      upload: async (t) => {
        const robot = t.key.split('#')[0] as RobotKind;
        const message = JSON.parse(readFileSync(t.filePath, 'utf8')) as AlertMessage;
        await sendToRobot(robot, message, this.o.secrets);
      },
      onChange: (r) => {
        if (r.state === 'done') log.info('sent', { robot: r.key.split('#')[0] });
        if (r.state === 'failed') log.error('send.failed', { robot: r.key.split('#')[0], error: r.lastError });
        if (r.state === 'done' || r.state === 'failed') {
          setImmediate(() => {
            this.queue.forget([r.key]);
            rmSync(r.filePath, { force: true });
          });
        }
      },
    });
  }

  start(): void {
    this.queue.start();
  }

  stop(): Promise<void> {
    return this.queue.stop();
  }

  active(): string[] {
    return Object.keys(this.state.active);
  }

  /** Compares with what was active; queues firing / recovered messages. Returns what it queued. */
  update(conditions: Condition[]): AlertMessage[] {
    const at = new Date(this.now()).toISOString();
    const msgs: AlertMessage[] = [];
    let changed = false;
    const now = new Map(conditions.map((c) => [c.key, c]));
    for (const c of conditions) {
      if (c.event) {
        msgs.push(this.message(c, 'event', at));
        continue;
      }
      const was = this.state.active[c.key];
      if (was) {
        // Held: silent, unless it grew (a second paid order needing attention is news); a drop is only remembered.
        if (c.count !== undefined && c.count !== was.count) {
          if (c.count > (was.count ?? 0)) msgs.push(this.message(c, 'firing', at));
          this.state.active[c.key] = { ...was, title: c.title, count: c.count };
          changed = true;
        }
        continue;
      }
      this.state.active[c.key] = { since: at, title: c.title, ...(c.count !== undefined ? { count: c.count } : {}) };
      msgs.push(this.message(c, 'firing', at));
    }
    for (const [key, a] of Object.entries(this.state.active)) {
      if (now.has(key)) continue;
      delete this.state.active[key];
      const mins = Math.max(1, Math.round((this.now() - Date.parse(a.since)) / 60_000));
      msgs.push({ key, state: 'recovered', severity: 'info', kioskId: this.o.kioskId, group: this.o.group(), title: a.title, lines: [`持续约 ${mins} 分钟，现已恢复正常。`], at });
    }
    if (changed || msgs.length) writeFileAtomic(this.stateFile, JSON.stringify(this.state));
    if (msgs.length) {
      for (const m of msgs) this.enqueue(m);
    }
    return msgs;
  }

  /** Queues one message for every configured robot (a test message from the admin screen, too). */
  enqueue(m: AlertMessage, robots: RobotKind[] = configuredRobots(this.o.secrets).filter((r) => this.o.enabled?.(r) ?? true)): void {
    if (robots.length === 0) log.warn('no_robot', { key: m.key, state: m.state });
    for (const robot of robots) {
      const key = `${robot}#${m.key}#${this.now().toString(36)}-${(this.n++).toString(36)}`;
      const file = join(this.outDir, key.replace(/[^A-Za-z0-9._-]/g, '_') + '.json');
      writeFileAtomic(file, JSON.stringify(m));
      this.queue.enqueue({ key, filePath: file, contentType: 'application/json', kind: 'result', priority: m.state === 'recovered' ? 2 : 1 });
    }
    log.info('queued', { key: m.key, state: m.state, robots });
  }

  /** Sends a test message to one robot now and says whether it was accepted (admin screen "test"). */
  async test(robot: RobotKind): Promise<{ ok: boolean; code: string; detail: string }> {
    const m: AlertMessage = { key: 'test', state: 'event', severity: 'info', kioskId: this.o.kioskId, group: this.o.group(), title: '测试消息', lines: ['告警机器人配置成功。'], at: new Date(this.now()).toISOString() };
    try {
      await sendToRobot(robot, m, this.o.secrets);
      return { ok: true, code: 'OK', detail: 'accepted' };
    } catch (e) {
      const err = e as RobotError;
      return { ok: false, code: err.code ?? 'ERROR', detail: err.message };
    }
  }

  private message(c: Condition, state: AlertMessage['state'], at: string): AlertMessage {
    return { key: c.key, state, severity: c.severity, kioskId: this.o.kioskId, group: this.o.group(), title: c.title, lines: c.lines, at };
  }
}
