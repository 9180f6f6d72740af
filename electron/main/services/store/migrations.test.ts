// Upgrading a kiosk that has orders in hand: migration 7 moves `deliveries` (a column group per
// kind) into `deliverables` rows, and the open orders it copied are then delivered as before.
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { dataPaths } from '../../infra/paths';
import { harness, solidJpeg, until, type Harness } from '../../testing/orders';
import { migrations } from './migrations';

const DELIVERABLES_VERSION = 7;
let h: Harness | undefined;
let dir: string | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** A database as the kiosk left it one version before deliverables, with the given orders in it. */
function oldKiosk(path: string, fill: (db: Database.Database) => void): void {
  const db = new Database(path);
  for (const [i, sql] of migrations.slice(0, DELIVERABLES_VERSION - 1).entries()) {
    db.exec(sql);
    db.pragma(`user_version = ${i + 1}`);
  }
  fill(db);
  db.close();
}

const at = '2026-12-01T10:00:00.000Z';
function oldOrder(db: Database.Database, id: string, state: string, pkg: string): void {
  db.prepare('INSERT INTO orders (id, state, lang, seed, package_id, amount_fen, created_at, updated_at) VALUES (?, ?, ?, 1, ?, 1990, ?, ?)').run(id, state, 'zh', pkg, at, at);
}

describe('migration 7: deliverables as rows', () => {
  it('an open print + download order from before the upgrade is delivered after it, printed once under its stored key', async () => {
    dir = mkdtempSync(join(tmpdir(), 'kiosk-migrate-'));
    const paths = dataPaths(dir);
    const finalPath = join(paths.results, 'ord_open', 'final.jpg');
    mkdirSync(join(paths.results, 'ord_open'), { recursive: true });
    writeFileSync(finalPath, await solidJpeg(3));
    const shareKey = 'r/' + 'a'.repeat(32);
    oldKiosk(paths.db, (db) => {
      // Paid and delivering: the final picture written, the print queued, the upload not done,
      // one run that threw (ENOSPC) with its retry due.
      oldOrder(db, 'ord_open', 'delivering', 'print');
      db.prepare("INSERT INTO assets (id, order_id, kind, path, mime, created_at) VALUES ('ast_final', 'ord_open', 'final', ?, 'image/jpeg', ?)").run(finalPath, at);
      db.prepare(
        `INSERT INTO deliveries (order_id, result_asset_id, print_wanted, print_copies, print_job_key, print_status, print_attempts,
           download_wanted, share_key, share_status, motion_wanted, motion_status, attempts, retry_at, last_error, created_at, updated_at)
         VALUES ('ord_open', 'ast_final', 1, 2, 'print-ord_open', 'queued', 0, 1, ?, 'pending', 0, 'none', 1, ?, 'ENOSPC', ?, ?)`,
      ).run(shareKey, at, at, at);
      db.prepare("INSERT INTO tokens (token, purpose, order_id, expires_at, created_at) VALUES ('tok_dl', 'download', 'ord_open', '2099-01-01T00:00:00.000Z', ?)").run(at);
      // Delivered long ago with a living photo that failed: history, copied as it was.
      oldOrder(db, 'ord_done', 'delivered', 'premium');
      db.prepare(
        `INSERT INTO deliveries (order_id, result_asset_id, print_wanted, print_copies, print_job_key, print_system_job_id, print_status,
           print_attempts, download_wanted, share_key, share_status, download_url, motion_wanted, motion_status, created_at, updated_at)
         VALUES ('ord_done', NULL, 1, 1, 'print-ord_done.a2', 'job-7', 'done', 2, 1, 'r/old', 'done', 'https://oss.test/d', 1, 'failed', ?, ?)`,
      ).run(at, at);
    });

    h = harness({ dir });
    expect(h.db.pragma('user_version', { simple: true })).toBe(migrations.length);
    expect(h.db.prepare("SELECT name FROM sqlite_master WHERE name = 'deliveries'").get()).toBeUndefined();
    const open = h.repo.order('ord_open')!;
    expect([open.final_asset_id, open.share_key, open.delivery_attempts, open.delivery_error]).toEqual(['ast_final', shareKey, 1, 'ENOSPC']);
    expect(h.repo.deliverables('ord_open').map((r) => [r.kind, r.status, r.job_key, r.quantity])).toEqual([
      ['photo', 'pending', null, 1],
      ['print', 'pending', 'print-ord_open', 2],
    ]);
    expect(h.repo.deliverables('ord_done').map((r) => [r.kind, r.status, r.job_key, r.attempts, r.external_ref, r.url])).toEqual([
      ['photo', 'done', null, 0, null, 'https://oss.test/d'],
      ['print', 'done', 'print-ord_done.a2', 2, 'job-7', null],
      ['motion', 'failed', null, 0, null, null],
    ]);

    // The restart after the upgrade: the reconciler resumes the open order on the rows.
    await h.service.reconcile();
    await until(() => h!.repo.order('ord_open')?.state === 'delivered', 'the upgraded order delivered');
    expect(h.printer.submitted).toHaveLength(1);
    expect(h.printer.submitted[0]!.copies).toBe(2);
    expect(h.repo.deliverable('ord_open', 'print')).toMatchObject({ status: 'done', job_key: 'print-ord_open', attempts: 1 });
    expect(existsSync(join(paths.share, shareKey, 'photo.jpg'))).toBe(true);
    const view = await h.service.session.view('ord_open');
    expect(view.delivery?.print).toMatchObject({ status: 'done', copies: 2 });
    expect(view.delivery?.download?.url).toBe('http://phone.test/p/download/tok_dl');
    expect(view.delivery?.photoAssetId).toBe('ast_final');
    // The history order is left alone.
    expect(h.repo.order('ord_done')?.state).toBe('delivered');
  });
});
