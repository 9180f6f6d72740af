// Issue 13.5, as a hostile guest and a careless install would find it: files readable by others,
// print PDFs and refund_pending originals kept for ever, a malformed URL answered 500 with an
// error line each time, an unbounded log, call names found on Object.prototype, and limits
// checked before they are counted (concurrent uploads, concurrent photos).
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BrowserHost } from '../browser-host/server';
import { isCallName } from '../shared/contract';
import { DownloadInfo, PayConfirmed, PayInfo, UploadInfo, UploadOutcome } from '../shared/phoneApi';
import type { Kiosk } from './app';
import { readBody, RequestNoise, resolveInside, safeDecode } from './infra/http';
import { logger, setLogFile, setLogRotation } from './infra/log';
import { privateByDefault } from './infra/paths';
import { PhoneServer, PER_TOKEN_UPLOADS } from './phone/server';
import { LanShare } from './services/share/lan';
import { runRetention } from './services/retention';
import { openDb } from './services/store/db';
import { harness, solidJpeg, until, type Harness } from './testing/orders';

const posix = process.platform !== 'win32';
const mode = (p: string) => statSync(p).mode & 0o777;

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('private by default (13.5)', () => {
  it.runIf(posix)('data folder 0700; database, WAL, log and older files 0600', () => {
    const root = mkdtempSync(join(tmpdir(), 'kiosk-private-'));
    try {
      chmodSync(root, 0o755);
      mkdirSync(join(root, 'results'), { mode: 0o755 });
      writeFileSync(join(root, 'results', 'old.jpg'), 'x', { mode: 0o644 });
      chmodSync(join(root, 'results', 'old.jpg'), 0o644);
      const r = privateByDefault(root);
      expect(r.umaskSet).toBe(true);
      expect(r.tightened).toBeGreaterThanOrEqual(3);
      expect(mode(root)).toBe(0o700);
      expect(mode(join(root, 'results'))).toBe(0o700);
      expect(mode(join(root, 'results', 'old.jpg'))).toBe(0o600);
      const db = openDb(join(root, 'kiosk.sqlite'));
      db.prepare("INSERT INTO settings (key, value_json, updated_at) VALUES ('k', '1', 'now')").run();
      const log = join(root, 'logs', 'kiosk.log');
      setLogFile(log, { quiet: true });
      logger('test').info('hello');
      setLogFile(null);
      writeFileSync(join(root, 'preview.jpg'), 'p');
      for (const f of ['kiosk.sqlite', 'kiosk.sqlite-wal', 'preview.jpg', 'logs/kiosk.log']) expect([f, mode(join(root, f))]).toEqual([f, 0o600]);
      expect(mode(join(root, 'logs'))).toBe(0o700);
      db.close();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('rotates the log by size and keeps a bounded number of files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kiosk-log-'));
    try {
      setLogRotation({ maxBytes: 4096, keep: 3 });
      setLogFile(join(dir, 'kiosk.log'), { quiet: true });
      const log = logger('flood');
      for (let i = 0; i < 2000; i++) log.info('line', { i, pad: 'x'.repeat(60) });
      setLogFile(null);
      const files = readdirSync(dir).sort();
      expect(files).toEqual(['kiosk.log', 'kiosk.log.1', 'kiosk.log.2', 'kiosk.log.3']);
      for (const f of files) expect(statSync(join(dir, f)).size).toBeLessThanOrEqual(4096);
      // The newest line is in the current file, in order.
      expect(readFileSync(join(dir, 'kiosk.log'), 'utf8')).toContain('"i":1999');
    } finally {
      setLogRotation({ maxBytes: 10 * 1024 * 1024, keep: 5 });
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('retention deletes print PDFs and the originals of refund_pending orders, not those of live orders', async () => {
    h = harness();
    const s = h.service;
    const o = await s.session.acceptConsent('zh');
    await s.session.chooseProduct(o.id, 'puzzle', 'gugong', null);
    await s.session.addPhoto(o.id, await solidJpeg(1), 'camera');
    const live = await s.session.acceptConsent('zh');
    await s.session.chooseProduct(live.id, 'puzzle', 'gugong', null);
    await s.session.addPhoto(live.id, await solidJpeg(2), 'camera');
    // The first order ended with its refund still pending (the provider is down), a day ago.
    h.db.prepare("UPDATE orders SET state = 'refund_pending', updated_at = ? WHERE id = ?").run(new Date(Date.now() - 25 * 3600_000).toISOString(), o.id);
    const pdf = join(h.paths.prints, `print-${o.id}.pdf`);
    const reprintPdf = join(h.paths.prints, `print-${o.id}.r1.pdf`);
    const livePdf = join(h.paths.prints, `print-${live.id}.pdf`);
    const testPage = join(h.paths.prints, 'test-1700000000000.pdf');
    for (const f of [pdf, reprintPdf, livePdf, testPage]) writeFileSync(f, '%PDF-1.4');
    const old = new Date(Date.now() - 25 * 3600_000);
    utimesSync(testPage, old, old);
    const original = (id: string) => h!.repo.assetsOf(id).find((a) => a.kind === 'original')!.path;
    const o1 = original(o.id);
    const o2 = original(live.id);

    const report = await runRetention({ db: h.db, repo: h.repo, config: h.service.deps.config, share: h.service.deps.share, dirs: h.paths });
    expect(report.printsDeleted).toBe(3);
    expect(existsSync(pdf) || existsSync(reprintPdf) || existsSync(testPage)).toBe(false);
    expect(existsSync(livePdf)).toBe(true);
    expect(existsSync(o1)).toBe(false);
    expect(existsSync(o2)).toBe(true);
  });
});

describe('bad requests are answered, not logged each time (13.5)', () => {
  it('safeDecode and the traversal guard', () => {
    expect(safeDecode('%E0%A4%A')).toBeNull();
    expect(safeDecode('r%2Fabc')).toBe('r/abc');
    expect(resolveInside('/srv/x', '/../etc/passwd')).toBeNull();
    expect(resolveInside('/srv/x', '/a/../../x2/f')).toBeNull();
    expect(resolveInside('/srv/x', '/assets/a.js')).toBe(join('/srv/x', 'assets', 'a.js'));
  });

  it('a flood of one kind of bad request writes one line, then a summary', () => {
    const lines: string[] = [];
    let now = 0;
    const log = { debug() {}, info() {}, error() {}, warn: (e: string, f?: Record<string, unknown>) => lines.push(`${e} ${JSON.stringify(f)}`) };
    const noise = new RequestNoise(log, 60_000, () => now);
    for (let i = 0; i < 10_000; i++) noise.note('malformed_url');
    expect(lines).toHaveLength(1);
    now = 61_000;
    noise.note('malformed_url');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain('"suppressed":9999');
  });

  it('call names are own names only: constructor, toString, __proto__ are not calls', () => {
    for (const n of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf']) expect(isCallName(n)).toBe(false);
    expect(isCallName('order:get')).toBe(true);
  });

  it('readBody stops keeping data past the limit', async () => {
    const { Readable } = await import('node:stream');
    const req = Object.assign(Readable.from([Buffer.alloc(600), Buffer.alloc(600)]), { headers: {} }) as unknown as IncomingMessage;
    expect(await readBody(req, 1000)).toBeNull();
    const small = Object.assign(Readable.from([Buffer.from('{"a":1}')]), { headers: {} }) as unknown as IncomingMessage;
    expect((await readBody(small, 1000))?.toString()).toBe('{"a":1}');
  });

  describe('browser host', () => {
    let host: BrowserHost;
    let base: string;
    let logDir: string;
    beforeAll(async () => {
      logDir = mkdtempSync(join(tmpdir(), 'kiosk-host-log-'));
      setLogFile(join(logDir, 'kiosk.log'), { quiet: true });
      const kiosk = { handlers: {}, on: () => () => undefined, media: () => null } as unknown as Kiosk;
      host = new BrowserHost(kiosk, { rendererDir: logDir, samplesDir: logDir });
      base = (await host.listen(0)).replace(/\/$/, '');
    });
    afterAll(async () => {
      await host.close();
      setLogFile(null);
      rmSync(logDir, { recursive: true, force: true });
    });

    it('POST /api/constructor, /api/toString, /api/__proto__ answer 404, never 500', async () => {
      for (const n of ['constructor', 'toString', '__proto__', '%5F%5Fproto%5F%5F', 'hasOwnProperty']) {
        const r = await fetch(`${base}/api/${n}`, { method: 'POST', body: '{}' });
        expect([n, r.status]).toEqual([n, 404]);
        expect(await r.json()).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CALL' } });
      }
      const bad = await fetch(`${base}/api/%E0%A4%A`, { method: 'POST', body: '{}' });
      expect(bad.status).toBe(404);
      const media = await fetch(`${base}/media/%E0%A4%A`);
      expect(media.status).toBe(404);
    });

    it('a loop of bad calls leaves at most a couple of log lines', async () => {
      for (let i = 0; i < 200; i++) await fetch(`${base}/api/constructor`, { method: 'POST', body: '{}' });
      const text = existsSync(join(logDir, 'kiosk.log')) ? readFileSync(join(logDir, 'kiosk.log'), 'utf8') : '';
      expect(text.split('\n').filter((l) => l.includes('"level":"error"'))).toHaveLength(0);
      expect(text.split('\n').filter(Boolean).length).toBeLessThanOrEqual(2);
    });
  });
});

describe('phone listener: malformed URLs and atomic limits', () => {
  let server: PhoneServer;
  let base: string;
  let renderer: string;
  let logDir: string;

  async function start(hh: Harness): Promise<void> {
    renderer = mkdtempSync(join(tmpdir(), 'phone-renderer-'));
    logDir = mkdtempSync(join(tmpdir(), 'phone-log-'));
    setLogFile(join(logDir, 'kiosk.log'), { quiet: true });
    const lan = new LanShare({ dir: hh.paths.share, baseUrl: () => base, secret: Buffer.alloc(32, 9) });
    server = new PhoneServer({
      repo: hh.repo,
      session: hh.service.session,
      share: lan,
      lanShare: lan,
      simPayment: hh.sim,
      rendererDir: renderer,
      blessing: () => '团团圆圆',
      uploadMaxBytes: 200_000,
    });
    base = `http://127.0.0.1:${await server.listen('127.0.0.1', 0)}`;
  }
  afterEach(async () => {
    await server.close();
    setLogFile(null);
    rmSync(renderer, { recursive: true, force: true });
    rmSync(logDir, { recursive: true, force: true });
  });

  it('/p/file/%E0%A4%A answers 400, and a loop of them writes no error line', async () => {
    h = harness();
    await start(h);
    for (let i = 0; i < 100; i++) {
      const r = await fetch(`${base}/p/file/%E0%A4%A`);
      expect(r.status).toBe(400);
    }
    const text = existsSync(join(logDir, 'kiosk.log')) ? readFileSync(join(logDir, 'kiosk.log'), 'utf8') : '';
    expect(text).not.toContain('"level":"error"');
    expect(text.split('\n').filter(Boolean).length).toBeLessThanOrEqual(1);
  });

  it('every phone answer matches the zod phone API (upload info, upload outcome, pay info, confirm, download)', async () => {
    h = harness();
    await start(h);
    const o = await h.service.session.acceptConsent('zh');
    await h.service.session.chooseProduct(o.id, 'puzzle', 'gugong', null);
    const token = (await h.service.session.phoneUploadLink(o.id)).url.split('/').pop()!;
    const body = async (r: Response) => ((await r.json()) as { ok: boolean; value: unknown }).value;
    expect(UploadInfo.parse(await body(await fetch(`${base}/p/api/upload/${token}`)))).toHaveProperty('expiresAt');
    const up = await fetch(`${base}/p/api/upload/${token}`, { method: 'POST', body: new Uint8Array(await solidJpeg(4)) });
    expect(UploadOutcome.parse(await body(up)).ok).toBe(true);
    const codeUrl = (await h.sim.create({ outTradeNo: 'T9', amountFen: 990, description: '电子版', expiresAt: new Date(Date.now() + 60_000), attach: 'k:o' })).codeUrl;
    const payToken = codeUrl.split('/').pop()!;
    expect(PayInfo.parse(await body(await fetch(`${base}/p/api/pay/${payToken}`))).amountFen).toBe(990);
    expect(PayConfirmed.parse(await body(await fetch(`${base}/p/api/pay/${payToken}/confirm`, { method: 'POST' }))).state).toBe('SUCCESS');
    const dl = h.repo.addToken('download', o.id, 600);
    expect(DownloadInfo.parse(await body(await fetch(`${base}/p/api/download/${dl.token}`))).ready).toBe(false);
  });

  it('uploads arriving at once never pass the token limit (the slot is claimed before the body is read)', async () => {
    h = harness();
    await start(h);
    const o = await h.service.session.acceptConsent('zh');
    await h.service.session.chooseProduct(o.id, 'puzzle', 'gugong', null);
    const token = (await h.service.session.phoneUploadLink(o.id)).url.split('/').pop()!;
    // Two slots left; five relatives send at the same moment.
    h.db.prepare('UPDATE tokens SET uses = ? WHERE token = ?').run(PER_TOKEN_UPLOADS - 2, token);
    const jpeg = new Uint8Array(await solidJpeg(3));
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => fetch(`${base}/p/api/upload/${token}`, { method: 'POST', body: jpeg, headers: { 'content-type': 'image/jpeg' } })),
    );
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 429, 429, 429]);
    expect(h.repo.photos(o.id)).toHaveLength(2);
    expect((h.db.prepare('SELECT uses FROM tokens WHERE token = ?').get(token) as { uses: number }).uses).toBe(PER_TOKEN_UPLOADS);
  });

  it("a product's photo limit holds when photos arrive at once (re-checked inside the insert transaction)", async () => {
    h = harness();
    await start(h);
    const o = await h.service.session.acceptConsent('zh');
    await h.service.session.chooseProduct(o.id, 'makeover', 'gugong', null); // maxPhotos 1
    const outcomes = await Promise.allSettled([1, 2, 3, 4].map(async (i) => h!.service.session.addPhoto(o.id, await solidJpeg(i), i % 2 ? 'camera' : 'phone')));
    expect(outcomes.filter((x) => x.status === 'fulfilled')).toHaveLength(1);
    for (const x of outcomes) if (x.status === 'rejected') expect(x.reason).toMatchObject({ code: 'TOO_MANY_PHOTOS' });
    expect(h.repo.photos(o.id)).toHaveLength(1);
    // The refused photos left no file behind.
    await until(() => readdirSync(join(h!.paths.originals, o.id)).length === 1, 'one original on disk');
  });
});

