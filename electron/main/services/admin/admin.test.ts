import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { callNames, type AdminSettingsDraft } from '../../../shared/contract';
import { KioskFailure } from '../../../shared/result';
import { verifyPin } from '../config/pin';
import { createSecretStore } from '../config/secrets';
import type { OrderService } from '../orders';
import { harness, solidJpeg, testCatalog, until, type Harness } from '../../testing/orders';
import { createPaperCounter } from '../print/paperCounter';
import { AdminAuth, ensureAdminPin, LOCKOUT_MS, PIN_FILE, SESSION_IDLE_MS } from './auth';
import { CatalogState } from './catalogOverrides';
import { createRobotHandlers } from '../fleet/alerts/robotSettings';
import { createAdminHandlers } from './handlers';
import { scrubLogText } from './logs';
import { csvField } from './reports';
import { AdminService } from './service';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function rejection(p: Promise<unknown>): Promise<KioskFailure> {
  try {
    await p;
  } catch (e) {
    if (e instanceof KioskFailure) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

function kit(opts: { now?: () => number; capFen?: number } = {}) {
  h = harness();
  const config = h.service.deps.config;
  if (opts.capFen !== undefined) config.dailyRefundCapFen = opts.capFen;
  const catalog = new CatalogState(h.db, testCatalog);
  const paper = createPaperCounter({ file: join(h.dir, 'paper.json'), capacity: 50, warnBelow: 5 });
  const secrets = createSecretStore({ file: join(h.dir, 'secrets.json') });
  const exits: number[] = [];
  const admin = new AdminService({
    orders: h.service,
    config,
    paths: h.paths,
    catalog,
    secrets,
    printer: h.printer,
    printLayout: h.service.deps.printLayout,
    paper,
    activeProviders: { ...config.providers },
    exit: () => exits.push(1),
    logFile: () => null,
  });
  const auth = new AdminAuth({ db: h.db, repo: h.repo, config, dataRoot: h.dir, now: opts.now });
  return { h, config, catalog, paper, secrets, admin, auth, exits };
}

/** An order the family paid (print package) and got. */
async function deliveredOrder(hh: Harness, s: OrderService, packageId = 'print'): Promise<string> {
  const o = await s.session.acceptConsent('zh');
  await s.session.chooseProduct(o.id, 'puzzle', 'gugong', null);
  await s.session.addPhoto(o.id, await solidJpeg(1), 'camera');
  await s.generation.startTry(o.id);
  await until(() => hh.repo.order(o.id)?.state === 'generated', 'variants');
  await s.generation.pick(o.id, 0);
  await s.money.start(o.id, packageId, async () => ({ ready: true }));
  const trade = hh.db.prepare('SELECT token FROM sim_trades t JOIN payments p ON p.out_trade_no = t.out_trade_no WHERE p.order_id = ?').get(o.id) as
    | { token: string }
    | undefined;
  if (trade) hh.sim.confirm(trade.token);
  await until(() => ['delivered', 'refunded'].includes(hh.repo.order(o.id)?.state ?? ''), 'delivered (or refunded)');
  return o.id;
}

describe('admin PIN', () => {
  it('first run: a random 6-digit PIN, written once to admin-pin.txt (0600) and announced, only its hash in config.json', async () => {
    const k = kit();
    const said: string[] = [];
    delete k.config.adminPinHash;
    expect(await ensureAdminPin({ config: k.config, dataRoot: k.h.dir, env: {}, announce: (l) => said.push(l) })).toBe('generated');
    const file = join(k.h.dir, PIN_FILE);
    const pin = readFileSync(file, 'utf8').trim();
    expect(pin).toMatch(/^\d{6}$/);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(said.join('\n')).toContain(pin);
    const saved = JSON.parse(readFileSync(join(k.h.dir, 'config.json'), 'utf8')) as { adminPinHash: string };
    expect(saved.adminPinHash).not.toContain(pin);
    expect(await verifyPin(pin, saved.adminPinHash)).toBe(true);
    // A second start keeps the PIN it has.
    expect(await ensureAdminPin({ config: k.config, dataRoot: k.h.dir, env: { KIOSK_ADMIN_PIN: '1111' } })).toBe('existing');
    expect(await verifyPin(pin, k.config.adminPinHash!)).toBe(true);
  });

  it('takes KIOSK_ADMIN_PIN on first run and writes no PIN file', async () => {
    const k = kit();
    delete k.config.adminPinHash;
    expect(await ensureAdminPin({ config: k.config, dataRoot: k.h.dir, env: { KIOSK_ADMIN_PIN: '246810' }, announce: () => undefined })).toBe('env');
    expect(existsSync(join(k.h.dir, PIN_FILE))).toBe(false);
    const { token } = await k.auth.unlock('246810');
    expect(token.length).toBeGreaterThan(20);
  });

  it('locks out after 5 wrong PINs for 5 minutes, and a restart does not reset the count', async () => {
    let now = Date.parse('2026-02-01T10:00:00Z');
    const k = kit({ now: () => now });
    delete k.config.adminPinHash;
    await ensureAdminPin({ config: k.config, dataRoot: k.h.dir, env: { KIOSK_ADMIN_PIN: '2468' } });
    for (let i = 1; i <= 3; i++) expect((await rejection(k.auth.unlock('0000'))).message).toContain(String(5 - i));
    // The kiosk restarts (power cut): the failures are remembered.
    const auth2 = new AdminAuth({ db: k.h.db, repo: k.h.repo, config: k.config, dataRoot: k.h.dir, now: () => now });
    expect((await rejection(auth2.unlock('1111'))).code).toBe('PIN_WRONG');
    expect((await rejection(auth2.unlock('1111'))).code).toBe('PIN_LOCKED');
    // Locked: even the right PIN is refused.
    expect((await rejection(auth2.unlock('2468'))).code).toBe('PIN_LOCKED');
    now += LOCKOUT_MS - 1000;
    expect((await rejection(auth2.unlock('2468'))).code).toBe('PIN_LOCKED');
    now += 2000;
    await expect(auth2.unlock('2468')).resolves.toHaveProperty('token');
    const actions = (k.h.db.prepare("SELECT action FROM audit_log WHERE actor = 'admin' ORDER BY id").all() as { action: string }[]).map((r) => r.action);
    expect(actions.filter((a) => a === 'admin_pin_wrong')).toHaveLength(4);
    expect(actions).toContain('admin_locked_out');
    expect(actions[actions.length - 1]).toBe('admin_unlocked');
  });

  it('session tokens expire when unused, each call extends them, and lock ends them', async () => {
    let now = Date.parse('2026-02-01T10:00:00Z');
    const k = kit({ now: () => now });
    delete k.config.adminPinHash;
    await ensureAdminPin({ config: k.config, dataRoot: k.h.dir, env: { KIOSK_ADMIN_PIN: '2468' } });
    const handlers = createAdminHandlers({ auth: k.auth, admin: k.admin, health: { report: async () => ({}) } as never });
    const { token } = await k.auth.unlock('2468');
    now += SESSION_IDLE_MS - 1000;
    await expect(handlers['admin:sales-report']({ token })).resolves.toHaveProperty('today');
    now += SESSION_IDLE_MS - 1000;
    await expect(handlers['admin:sales-report']({ token })).resolves.toHaveProperty('today');
    now += SESSION_IDLE_MS + 1;
    expect((await rejection(handlers['admin:sales-report']({ token }))).code).toBe('ADMIN_SESSION_EXPIRED');
    expect((await rejection(handlers['admin:list-orders']({ token: 'x'.repeat(32) }))).code).toBe('ADMIN_SESSION_EXPIRED');
    const second = await k.auth.unlock('2468');
    await handlers['admin:lock']({ token: second.token });
    expect((await rejection(handlers['admin:export-csv']({ token: second.token }))).code).toBe('ADMIN_SESSION_EXPIRED');
  });

  it('every admin call but unlock refuses without a live session, before doing anything', async () => {
    const k = kit();
    // The alert robots' calls are bound by the fleet module, with the same session check.
    const robots = createRobotHandlers({ db: k.h.db, secrets: (n) => k.secrets.get(n), alerter: {} as never, guard: (t) => k.auth.check(t), setSecret: (n, v) => void k.admin.setSecret(n, v), audit: () => undefined });
    const handlers = { ...createAdminHandlers({ auth: k.auth, admin: k.admin, health: {} as never }), ...robots } as unknown as Record<string, (i: unknown) => Promise<unknown>>;
    const guarded = callNames.filter((n) => n.startsWith('admin:') && n !== 'admin:unlock' && n !== 'admin:lock');
    expect(guarded.length).toBeGreaterThanOrEqual(14);
    for (const name of guarded) {
      const e = await rejection(handlers[name]!({ token: 'forged-token-forged-token', confirm: true, orderId: 'ord_x', reason: 'xx', name: 'jimeng.secret-key', value: 'v', kind: 'wecom', enabled: true, address: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=forged-key' }));
      expect(e.code, name).toBe('ADMIN_SESSION_EXPIRED');
    }
    expect(k.exits).toEqual([]);
    expect(k.secrets.has('jimeng.secret-key')).toBe(false);
    expect(k.secrets.has('alerts.wecom-webhook')).toBe(false);
  });

  it('changes the PIN only with the current one, and removes the first-run PIN file', async () => {
    const k = kit();
    delete k.config.adminPinHash;
    await ensureAdminPin({ config: k.config, dataRoot: k.h.dir, env: {}, announce: () => undefined });
    const first = readFileSync(join(k.h.dir, PIN_FILE), 'utf8').trim();
    expect((await rejection(k.auth.changePin('999999x', '4321'))).code).toBe('PIN_WRONG');
    await k.auth.changePin(first, '4321');
    expect(existsSync(join(k.h.dir, PIN_FILE))).toBe(false);
    expect((await rejection(k.auth.unlock(first))).code).toBe('PIN_WRONG');
    await expect(k.auth.unlock('4321')).resolves.toHaveProperty('token');
    const saved = JSON.parse(readFileSync(join(k.h.dir, 'config.json'), 'utf8')) as { adminPinHash: string };
    expect(await verifyPin('4321', saved.adminPinHash)).toBe(true);
  });
});

function draftFrom(k: ReturnType<typeof kit>): AdminSettingsDraft {
  return structuredClone(k.admin.getSettings().settings);
}

describe('settings', () => {
  it('refuses out-of-range values field by field and changes nothing', async () => {
    const k = kit();
    const d = draftFrom(k);
    d.packages[0]!.priceFen = -1;
    d.idleTimeoutSec = 5;
    d.regenerationsAllowed = 1.5;
    d.thresholds.minFaceScore = 2;
    d.styles.push({ id: 'atlantis', enabled: true });
    const r = k.admin.saveSettings(d);
    expect(r.saved).toBe(false);
    expect(r.issues).toEqual(
      expect.arrayContaining([
        { path: 'packages.0.priceFen', rule: 'range', min: 0, max: 100_000 },
        { path: 'idleTimeoutSec', rule: 'range', min: 15, max: 3600 },
        expect.objectContaining({ path: 'regenerationsAllowed', rule: 'integer' }),
        expect.objectContaining({ path: 'thresholds.minFaceScore', rule: 'range', max: 0.99 }),
        { path: 'styles.1.id', rule: 'unknown' },
      ]),
    );
    expect(k.catalog.current().packages[0]!.priceFen).toBe(990);
    expect(k.config.idleTimeoutSec).toBe(90);
  });

  it('refuses to switch every package off', () => {
    const k = kit();
    const d = draftFrom(k);
    for (const p of d.packages) p.enabled = false;
    expect(k.admin.saveSettings(d).issues).toContainEqual({ path: 'packages', rule: 'required' });
  });

  it('applies prices and switches live, persists them, keeps provider changes for the next start', () => {
    const k = kit();
    const d = draftFrom(k);
    d.packages[0]!.priceFen = 1280;
    d.packages[2]!.enabled = false;
    d.idleTimeoutSec = 120;
    d.blessing = '阖家欢乐';
    d.thresholds.minFacePx = 100;
    d.providers.payment = 'wechatpay';
    const r = k.admin.saveSettings(d);
    expect(r).toMatchObject({ saved: true, issues: [] });
    expect(k.catalog.current().packages.map((p) => [p.id, p.priceFen, p.enabled])).toEqual([
      ['digital', 1280, true],
      ['print', 1990, true],
      ['free', 0, false],
      ['four', 990, true],
      ['premium', 2990, true],
    ]);
    expect(k.config.idleTimeoutSec).toBe(120);
    expect(k.config.blessing).toBe('阖家欢乐');
    expect(k.config.providers.payment).toBe('simulated');
    expect(r.view.restartRequired).toBe(true);
    // A restart reads the same catalogue and config.json.
    expect(new CatalogState(k.h.db, testCatalog).current().packages[0]!.priceFen).toBe(1280);
    const file = JSON.parse(readFileSync(join(k.h.dir, 'config.json'), 'utf8')) as { idleTimeoutSec: number; providers: { payment: string }; checks: { minFacePx: number } };
    expect(file).toMatchObject({ idleTimeoutSec: 120, providers: { payment: 'wechatpay' }, checks: { minFacePx: 100 } });
    const audit = k.h.db.prepare("SELECT details_json FROM audit_log WHERE action = 'settings_saved'").get() as { details_json: string };
    expect(audit.details_json).toContain('package:digital');
  });

  it('secrets are write-only: set and cleared, never read back', () => {
    const k = kit();
    expect(k.admin.setSecret('jimeng.secret-key', '  s3cr3t-value ')).toEqual({ name: 'jimeng.secret-key', set: true });
    expect(k.secrets.get('jimeng.secret-key')).toBe('s3cr3t-value');
    const view = JSON.stringify(k.admin.getSettings());
    expect(view).not.toContain('s3cr3t');
    expect(k.admin.getSettings().secrets).toContainEqual({ name: 'jimeng.secret-key', set: true });
    expect(() => k.admin.setSecret('../../etc/passwd', 'x')).toThrow(KioskFailure);
    expect(k.admin.setSecret('jimeng.secret-key', '')).toEqual({ name: 'jimeng.secret-key', set: false });
    const audit = JSON.stringify(k.h.db.prepare('SELECT * FROM audit_log').all());
    expect(audit).not.toContain('s3cr3t');
  });
});

describe('refunds, reprint and sales', () => {
  it('refunds a delivered order with a reason, up to the daily cap', async () => {
    const k = kit({ capFen: 3000 });
    const a = await deliveredOrder(k.h, k.h.service);
    const b = await deliveredOrder(k.h, k.h.service);
    const row = await k.admin.refund(a, '顾客对照片不满意');
    expect(row.state).toBe('refunded');
    expect(row.refund).toMatchObject({ state: 'success', amountFen: 1990, actor: 'admin', reason: '顾客对照片不满意' });
    expect(k.h.db.prepare("SELECT t.state FROM sim_trades t JOIN payments p ON p.out_trade_no = t.out_trade_no WHERE p.order_id = ?").get(a)).toEqual({ state: 'REFUND' });
    // 19.90 + 19.90 > 30.00: the second is refused and the order stays delivered.
    const refused = await rejection(k.admin.refund(b, '顾客投诉'));
    expect(refused.code).toBe('REFUND_CAP');
    expect(k.h.repo.order(b)?.state).toBe('delivered');
    // Twice is never possible.
    expect((await rejection(k.admin.refund(a, '再退一次'))).code).toBe('ALREADY_REFUNDED');

    const sales = k.admin.salesReport();
    expect(sales.today).toMatchObject({ orders: 2, grossFen: 3980, refundsFen: 1990, netFen: 1990 });
    expect(sales.byPackage).toEqual([{ packageId: 'print', orders: 2, grossFen: 3980 }]);
    expect(sales.refundCap).toEqual({ capFen: 3000, usedTodayFen: 1990 });
    const actions = (k.h.db.prepare('SELECT action FROM audit_log WHERE order_id = ? ORDER BY id').all(a) as { action: string }[]).map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['refund_requested', 'refunded']));
  });

  it('refuses to refund a free order or one not yet delivered', async () => {
    const k = kit();
    const free = await deliveredOrder(k.h, k.h.service, 'free');
    expect((await rejection(k.admin.refund(free, '测试'))).code).toBe('NOTHING_TO_REFUND');
    const o = await k.h.service.session.acceptConsent('zh');
    expect((await rejection(k.admin.refund(o.id, '测试'))).code).toBe('NOTHING_TO_REFUND');
    expect((await rejection(k.admin.refund('ord_nope', '测试'))).code).toBe('ORDER_NOT_FOUND');
  });

  it('reprints a delivered order through the printer and audits it', async () => {
    const k = kit();
    const a = await deliveredOrder(k.h, k.h.service);
    expect(await k.admin.reprint(a)).toEqual({ printed: true });
    expect(k.h.printer.submitted).toHaveLength(2);
    expect(k.h.printer.submitted[1]!.jobKey).not.toBe(k.h.printer.submitted[0]!.jobKey);
    const audit = k.h.db.prepare("SELECT actor FROM audit_log WHERE order_id = ? AND action = 'reprint'").get(a);
    expect(audit).toEqual({ actor: 'admin' });
  });

  it('lists orders that need attention first', async () => {
    const k = kit();
    const ok = await deliveredOrder(k.h, k.h.service);
    k.h.printer.failNext = 10;
    const failed = await deliveredOrder(k.h, k.h.service);
    expect(k.h.repo.order(failed)?.state).toBe('refunded'); // the print failed for good: the system refunded it
    const rows = k.admin.listOrders({});
    expect(rows[0]).toMatchObject({ id: failed, canRefund: false, canReprint: true });
    expect(rows[0]!.attention).toContain('PRINT_FAILED');
    expect(rows[rows.length - 1]!.id).toBe(ok);
    expect(rows[rows.length - 1]!.canRefund).toBe(true);
  });

  it('exports a CSV that Excel reads (BOM, CRLF) and that cannot run formulas', async () => {
    const k = kit();
    const a = await deliveredOrder(k.h, k.h.service);
    await k.admin.refund(a, '=HYPERLINK("http://evil")');
    const { csv, fileName } = k.admin.exportCsv(7);
    expect(fileName).toMatch(/\.csv$/);
    expect(csv.startsWith('\ufefforder_id,created_at,state,package,amount_yuan')).toBe(true);
    const lines = csv.slice(1).trimEnd().split('\r\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`${a},`);
    expect(lines[1]).toContain('19.90');
    expect(lines[1]).toContain(`"'=HYPERLINK(""http://evil"")"`);
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField(-5)).toBe(`"'-5"`);
  });

  it('resets the paper counter and test-prints through the configured printer', async () => {
    const k = kit();
    k.paper.consume(48);
    expect(k.admin.resetPaper(60)).toMatchObject({ capacity: 60, remaining: 60 });
    const r = await k.admin.testPrint();
    expect(r).toMatchObject({ printed: true, printer: 'fake' });
    expect(k.h.printer.submitted.at(-1)!.jobKey).toMatch(/^test-/);
    k.h.printer.ready = false;
    expect(await k.admin.testPrint()).toMatchObject({ printed: false });
    const actions = (k.h.db.prepare("SELECT action FROM audit_log WHERE actor = 'admin'").all() as { action: string }[]).map((x) => x.action);
    expect(actions).toEqual(['paper_reset', 'test_print', 'test_print']);
  });

  it('exported logs carry no key material or image data even if a message slipped it in', () => {
    const pem = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----';
    const blob = 'A'.repeat(400);
    const out = scrubLogText(`{"event":"x","msg":"${pem}"}\n{"event":"y","data":"${blob}"}\n{"event":"ok","orderId":"ord_1"}`);
    expect(out).not.toContain('MIIEvQ');
    expect(out).not.toContain(blob);
    expect(out).toContain('"orderId":"ord_1"');
  });

  it('exit kiosk is audited and calls the host after answering', async () => {
    const k = kit();
    expect(k.admin.exitKiosk()).toEqual({ exiting: true });
    expect(k.exits).toEqual([]);
    await until(() => k.exits.length === 1, 'exit', 2000);
  });
});
