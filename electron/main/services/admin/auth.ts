// The operator's way in: a numeric PIN, kept only as an scrypt hash in config.json (the same
// `adminPinHash` the `npm run pay` CLI checks), with a lockout after repeated failures that is
// stored in the database so pulling the plug does not reset it. A correct PIN yields a short-lived
// session token, held in memory only: a restart logs the operator out.
import { randomBytes, randomInt } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { KioskFailure } from '../../../shared/result';
import { writeFileAtomic } from '../../infra/files';
import { logger } from '../../infra/log';
import type { KioskConfig } from '../config';
import { hashPin, verifyPin } from '../config/pin';
import type { OrdersRepo } from '../orders/repo';
import type { Db } from '../store/db';
import { patchConfigFile } from './configFile';
import { readSetting, writeSetting } from './settingsStore';

const log = logger('admin.auth');

export const MAX_FAILURES = 5;
export const LOCKOUT_MS = 5 * 60_000;
/** A session ends after this long without an admin call (the operator walked away). */
export const SESSION_IDLE_MS = 10 * 60_000;
const LOCKOUT_KEY = 'admin.pin_lockout';

const Lockout = z.object({ failures: z.number().int().min(0), lockedUntil: z.number().nullable() });
type Lockout = z.infer<typeof Lockout>;

export interface AdminAuthOptions {
  db: Db;
  repo: OrdersRepo;
  /** The running configuration; adminPinHash is updated in place when the PIN changes. */
  config: KioskConfig;
  dataRoot: string;
  env?: NodeJS.ProcessEnv;
  now?: () => number;
  /** Where a generated first-run PIN is announced: stdout, never the log file. */
  announce?: (line: string) => void;
  sessionIdleMs?: number;
}

export const PIN_FILE = 'admin-pin.txt';

/**
 * First run: the PIN is KIOSK_ADMIN_PIN when that is 4–12 digits, otherwise a random 6-digit PIN that is
 * written once to <dataDir>/admin-pin.txt (mode 0600) and printed on stdout. Only its hash is kept in
 * config.json. A kiosk that already has a PIN hash keeps it (the env variable no longer applies).
 */
export async function ensureAdminPin(
  opts: Pick<AdminAuthOptions, 'config' | 'dataRoot' | 'env' | 'announce'> & {
    /** False when config.json does not parse or has an invalid field: then a PIN may exist that we cannot see. */
    configUsable?: boolean;
  },
): Promise<'existing' | 'env' | 'generated' | 'unavailable'> {
  if (opts.config.adminPinHash) return 'existing';
  if (opts.configUsable === false) {
    // Fail closed: a new PIN is issued only when none exists anywhere, and config.json is never
    // rewritten while it has errors. The operator fixes the file (log and 暂停服务 screen name the field).
    log.error('pin.not_issued', { reason: 'config.json has errors; no PIN was found in it or in config.json.last-good; fix the file and restart' });
    return 'unavailable';
  }
  const fromEnv = opts.env?.KIOSK_ADMIN_PIN;
  const useEnv = typeof fromEnv === 'string' && /^\d{4,12}$/.test(fromEnv);
  const pin = useEnv ? fromEnv : String(randomInt(0, 1_000_000)).padStart(6, '0');
  const hash = await hashPin(pin);
  patchConfigFile(opts.dataRoot, (c) => {
    c.adminPinHash = hash;
  });
  opts.config.adminPinHash = hash;
  if (!useEnv) {
    const file = join(opts.dataRoot, PIN_FILE);
    writeFileAtomic(file, `${pin}\n`);
    const say = opts.announce ?? ((line: string) => process.stdout.write(line + '\n'));
    say(`ADMIN_PIN=${pin}  (first run: the operator PIN; also in ${file}. Change it on the admin screen.)`);
  }
  log.info('pin.initialised', { source: useEnv ? 'env' : 'generated' });
  return useEnv ? 'env' : 'generated';
}

export class AdminAuth {
  private readonly sessions = new Map<string, number>();
  private readonly now: () => number;
  private readonly idleMs: number;
  /** One PIN check at a time: parallel guesses must not slip past the failure counter. */
  private checking: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: AdminAuthOptions) {
    this.now = opts.now ?? Date.now;
    this.idleMs = opts.sessionIdleMs ?? SESSION_IDLE_MS;
  }

  private lockout(): Lockout {
    return readSetting(this.opts.db, LOCKOUT_KEY, Lockout, { failures: 0, lockedUntil: null });
  }

  /** Throws PIN_LOCKED while locked out; otherwise nothing. */
  private assertNotLocked(): void {
    const l = this.lockout();
    if (l.lockedUntil !== null && l.lockedUntil > this.now()) {
      const minutes = Math.max(1, Math.ceil((l.lockedUntil - this.now()) / 60_000));
      throw new KioskFailure('PIN_LOCKED', `密码错误次数过多，请 ${minutes} 分钟后再试`);
    }
  }

  unlock(pin: string): Promise<{ token: string; expiresAt: string }> {
    const run = this.checking.then(() => this.unlockNow(pin));
    this.checking = run.catch(() => undefined);
    return run;
  }

  private async unlockNow(pin: string): Promise<{ token: string; expiresAt: string }> {
    this.assertNotLocked();
    const hash = this.opts.config.adminPinHash;
    const good = hash ? await verifyPin(pin, hash) : false;
    if (!good) this.failed('unlock');
    writeSetting(this.opts.db, LOCKOUT_KEY, { failures: 0, lockedUntil: null });
    const token = randomBytes(24).toString('base64url');
    const expires = this.now() + this.idleMs;
    this.sessions.set(token, expires);
    this.opts.repo.audit('admin', 'admin_unlocked', null, {});
    log.info('session.opened');
    return { token, expiresAt: new Date(expires).toISOString() };
  }

  /** Counts a wrong PIN (unlock or change-pin alike) toward the lockout, stored in the database; always throws. */
  private failed(call: 'unlock' | 'change-pin'): never {
    const l = this.lockout();
    const failures = (l.lockedUntil !== null && l.lockedUntil <= this.now() ? 0 : l.failures) + 1;
    const locked = failures >= MAX_FAILURES;
    writeSetting(this.opts.db, LOCKOUT_KEY, { failures: locked ? 0 : failures, lockedUntil: locked ? this.now() + LOCKOUT_MS : null });
    this.opts.repo.audit('admin', locked ? 'admin_locked_out' : call === 'unlock' ? 'admin_pin_wrong' : 'admin_pin_change_refused', null, { failures });
    log.warn(locked ? 'pin.locked_out' : 'pin.wrong', { failures, call });
    if (locked) {
      // Locked out: every open session ends too, so an unlocked screen cannot keep guessing.
      if (call === 'change-pin') this.sessions.clear();
      throw new KioskFailure('PIN_LOCKED', '密码错误次数过多，请 5 分钟后再试');
    }
    throw new KioskFailure('PIN_WRONG', call === 'unlock' ? `密码不正确，还可以再试 ${MAX_FAILURES - failures} 次` : `原密码不正确，还可以再试 ${MAX_FAILURES - failures} 次`);
  }

  /** Throws ADMIN_SESSION_EXPIRED unless the token is a live session; each use extends it. */
  check(token: string): void {
    const expires = this.sessions.get(token);
    if (expires === undefined || expires <= this.now()) {
      if (expires !== undefined) this.sessions.delete(token);
      throw new KioskFailure('ADMIN_SESSION_EXPIRED', '管理会话已过期，请重新输入密码');
    }
    this.sessions.set(token, this.now() + this.idleMs);
  }

  lock(token: string): void {
    if (this.sessions.delete(token)) this.opts.repo.audit('admin', 'admin_locked', null, {});
  }

  /** Needs the current PIN too: an unlocked screen left alone must not let anyone take the kiosk over. */
  changePin(oldPin: string, newPin: string): Promise<void> {
    // Serialised with unlock: parallel guesses through either call must not slip past the counter.
    const run = this.checking.then(() => this.changePinNow(oldPin, newPin));
    this.checking = run.catch(() => undefined);
    return run;
  }

  private async changePinNow(oldPin: string, newPin: string): Promise<void> {
    this.assertNotLocked();
    const hash = this.opts.config.adminPinHash;
    // A wrong old PIN is a PIN guess like any other: it counts toward the lockout.
    if (!hash || !(await verifyPin(oldPin, hash))) this.failed('change-pin');
    writeSetting(this.opts.db, LOCKOUT_KEY, { failures: 0, lockedUntil: null });
    if (!/^\d{4,12}$/.test(newPin)) throw new KioskFailure('PIN_INVALID', '新密码须为 4–12 位数字');
    const next = await hashPin(newPin);
    patchConfigFile(this.opts.dataRoot, (c) => {
      c.adminPinHash = next;
    });
    this.opts.config.adminPinHash = next;
    // The first-run PIN written in clear is no longer valid: do not leave it lying around.
    rmSync(join(this.opts.dataRoot, PIN_FILE), { force: true });
    this.opts.repo.audit('admin', 'admin_pin_changed', null, {});
    log.info('pin.changed');
  }
}
