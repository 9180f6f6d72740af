// Issue 13.5 (PIN): a wrong old PIN in admin:change-pin is a PIN guess like a wrong unlock, so it
// counts toward the lockout — an unlocked screen left alone cannot be used to guess the PIN.
import { afterEach, describe, expect, it } from 'vitest';
import { KioskFailure } from '../../../shared/result';
import { harness, type Harness } from '../../testing/orders';
import { AdminAuth, ensureAdminPin, MAX_FAILURES } from './auth';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof KioskFailure) return e.code;
    throw e;
  }
  return 'OK';
}

describe('admin PIN lockout', () => {
  it('wrong old PINs in change-pin lock the pad, and then even the right PIN is refused', async () => {
    h = harness();
    const config = h.service.deps.config;
    await ensureAdminPin({ config, dataRoot: h.dir, env: { KIOSK_ADMIN_PIN: '5555' } });
    const now = Date.now();
    const auth = new AdminAuth({ db: h.db, repo: h.repo, config, dataRoot: h.dir, now: () => now });
    await auth.unlock('5555');
    const codes: string[] = [];
    for (let i = 0; i < MAX_FAILURES; i++) codes.push(await code(auth.changePin(`99990${i}`, '1234')));
    expect(codes).toEqual([...Array(MAX_FAILURES - 1).fill('PIN_WRONG'), 'PIN_LOCKED']);
    expect(await code(auth.unlock('5555'))).toBe('PIN_LOCKED');
    expect(await code(auth.changePin('5555', '1234'))).toBe('PIN_LOCKED');
    // A new AdminAuth (a restart) reads the lock from the database.
    const after = new AdminAuth({ db: h.db, repo: h.repo, config, dataRoot: h.dir, now: () => now });
    expect(await code(after.unlock('5555'))).toBe('PIN_LOCKED');
    const audit = h.db.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action IN ('admin_pin_change_refused', 'admin_locked_out')").get() as { n: number };
    expect(audit.n).toBe(MAX_FAILURES);
  });

  it('wrong guesses through unlock and change-pin add up', async () => {
    h = harness();
    const config = h.service.deps.config;
    await ensureAdminPin({ config, dataRoot: h.dir, env: { KIOSK_ADMIN_PIN: '5555' } });
    const auth = new AdminAuth({ db: h.db, repo: h.repo, config, dataRoot: h.dir });
    for (let i = 0; i < MAX_FAILURES - 1; i++) expect(await code(i % 2 ? auth.unlock('0000') : auth.changePin('0000', '1234'))).toBe('PIN_WRONG');
    expect(await code(auth.changePin('0001', '1234'))).toBe('PIN_LOCKED');
  });

  it('config.json with errors and no PIN anywhere: no new PIN is issued', async () => {
    h = harness();
    const config = h.service.deps.config;
    delete config.adminPinHash;
    const lines: string[] = [];
    expect(await ensureAdminPin({ config, dataRoot: h.dir, env: {}, announce: (l) => lines.push(l), configUsable: false })).toBe('unavailable');
    expect(lines).toEqual([]);
    expect(config.adminPinHash).toBeUndefined();
  });
});
