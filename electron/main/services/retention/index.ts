// Data lifecycle (ARCHITECTURE.md §6): originals (captures, uploads) and print PDFs are deleted
// within 24 h of the order ending — sooner if configured — whatever the ending (delivered,
// refunded, refund still pending, abandoned), and results after the retention period (30 days),
// locally and from the share (OSS objects by explicit delete). Expired capability tokens are removed.
// Runs at start-up and every hour; idempotent, and a file that is already gone is not an error.
import { existsSync, readdirSync, rmSync, rmdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { statesWhere } from '../../../shared/orderStates';
import { logger } from '../../infra/log';
import type { KioskConfig } from '../config';
import { DELIVERABLE_KINDS, SHARED_FILES } from '../orders/deliverables/kinds';
import type { OrdersRepo } from '../orders/repo';
import type { ShareStore } from '../share/types';
import type { Db } from '../store/db';

const log = logger('retention');

/** Asset kinds that are the customer's own photos (sensitive: kept for the shortest time). */
const ORIGINAL_KINDS = ['original'];
/**
 * States in which the family's part is over; a live order keeps its photos. A refund still pending
 * (or a failed delivery on its way to one) needs money, not photos, so it counts as ended here.
 */
const ENDED: string[] = statesWhere('photosDone');

export interface RetentionDeps {
  db: Db;
  repo: OrdersRepo;
  config: KioskConfig;
  share: ShareStore;
  /** Where per-order work folders live (results/<orderId>, originals/<orderId>) and print PDFs (prints/). */
  dirs: { originals: string; results: string; prints?: string };
  now?: () => Date;
}

export interface RetentionReport {
  originalsDeleted: number;
  printsDeleted: number;
  resultsDeleted: number;
  sharedKeysDeleted: number;
  tokensDeleted: number;
}

export async function runRetention(deps: RetentionDeps): Promise<RetentionReport> {
  const now = deps.now?.() ?? new Date();
  const report: RetentionReport = { originalsDeleted: 0, printsDeleted: 0, resultsDeleted: 0, sharedKeysDeleted: 0, tokensDeleted: 0 };
  const originalCutoff = new Date(now.getTime() - deps.config.originalRetentionHours * 3600_000).toISOString();
  const resultCutoff = new Date(now.getTime() - deps.config.resultRetentionDays * 86400_000).toISOString();
  const marks = ENDED.map(() => '?').join(',');

  // 1. Originals of orders that ended more than N hours ago. Orders that never "ended" but were
  //    left behind (a crash before the reconciler ran) count from their last update.
  const originals = deps.db
    .prepare(
      `SELECT a.id, a.path FROM assets a JOIN orders o ON o.id = a.order_id
       WHERE a.deleted_at IS NULL AND a.kind IN (${ORIGINAL_KINDS.map(() => '?').join(',')})
         AND o.state IN (${marks}) AND COALESCE(o.ended_at, o.updated_at) <= ?`,
    )
    .all(...ORIGINAL_KINDS, ...ENDED, originalCutoff) as { id: string; path: string }[];
  for (const a of originals) {
    removeFile(a.path);
    deps.db.prepare('UPDATE assets SET deleted_at = ? WHERE id = ?').run(now.toISOString(), a.id);
    report.originalsDeleted++;
  }

  // 1b. Print PDFs (the delivered picture at full size): a reprint renders them again from the result.
  if (deps.dirs.prints) report.printsDeleted = removeOldPrints(deps.db, deps.dirs.prints, originalCutoff);

  // 2. Everything else of orders older than the result retention: results, previews, prints, videos,
  //    and the shared copies the phone downloads from.
  const old = deps.db
    .prepare(`SELECT id FROM orders WHERE state IN (${marks}) AND COALESCE(ended_at, updated_at) <= ?`)
    .all(...ENDED, resultCutoff) as { id: string }[];
  for (const { id } of old) {
    const assets = deps.repo.assetsOf(id);
    if (assets.length === 0) continue;
    const shareKey = deps.repo.order(id)?.share_key;
    if (shareKey) {
      const keys = DELIVERABLE_KINDS.flatMap((kind) => SHARED_FILES[kind]).map((f) => `${shareKey}/${f}`);
      await deps.share.remove(keys);
      report.sharedKeysDeleted += keys.length;
    }
    for (const a of assets) {
      removeFile(a.path);
      deps.db.prepare('UPDATE assets SET deleted_at = ? WHERE id = ?').run(now.toISOString(), a.id);
      report.resultsDeleted++;
    }
    // The greeting card's message is the family's own words: it goes with the pictures (the card
    // images are assets above). Table from migration 6; the link dies with the download token.
    deps.db.prepare('DELETE FROM cards WHERE order_id = ?').run(id);
    removeDirIfEmpty(join(deps.dirs.results, id, 'motion'));
    removeDirIfEmpty(join(deps.dirs.results, id));
  }
  for (const dir of [deps.dirs.originals, deps.dirs.results]) {
    if (!existsSync(dir)) continue;
    for (const e of readdirSync(dir)) removeDirIfEmpty(join(dir, e));
  }

  // 3. Photos uploaded to object storage for the AI (Jimeng 4.0 reads them within minutes).
  if (deps.share.removeOriginals) {
    const cloudCutoff = new Date(now.getTime() - Math.min(2, deps.config.originalRetentionHours) * 3600_000).toISOString();
    const keys = (deps.db.prepare('SELECT key FROM cloud_originals WHERE created_at <= ?').all(cloudCutoff) as { key: string }[]).map((r) => r.key);
    if (keys.length) {
      await deps.share.removeOriginals(keys);
      const del = deps.db.prepare('DELETE FROM cloud_originals WHERE key = ?');
      deps.db.transaction(() => keys.forEach((k) => del.run(k)))();
      report.originalsDeleted += keys.length;
    }
  }

  // 4. Dead capability tokens: expired links must not work, and need not be kept.
  report.tokensDeleted = deps.db.prepare('DELETE FROM tokens WHERE expires_at <= ?').run(now.toISOString()).changes;

  if (report.originalsDeleted || report.printsDeleted || report.resultsDeleted || report.tokensDeleted) log.info('retention.done', { ...report });
  return report;
}

/**
 * prints/print-<orderId>[.aN|.rN].pdf of orders that ended before the cutoff; files of no live order
 * (test pages, orders gone from the database) once they are older than the cutoff.
 */
function removeOldPrints(db: Db, dir: string, cutoffIso: string): number {
  if (!existsSync(dir)) return 0;
  const ended = new Set(ENDED);
  const orderOf = db.prepare('SELECT state, COALESCE(ended_at, updated_at) AS at FROM orders WHERE id = ?');
  let n = 0;
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.pdf')) continue;
    const path = join(dir, name);
    const orderId = name.startsWith('print-') ? name.slice('print-'.length).split('.')[0]! : null;
    const o = orderId ? (orderOf.get(orderId) as { state: string; at: string } | undefined) : undefined;
    let old: boolean;
    if (o) old = ended.has(o.state) && o.at <= cutoffIso;
    else {
      try {
        old = statSync(path).mtime.toISOString() <= cutoffIso;
      } catch {
        continue;
      }
    }
    if (!old) continue;
    removeFile(path);
    n++;
  }
  return n;
}

function removeFile(path: string): void {
  rmSync(path, { force: true });
}

function removeDirIfEmpty(dir: string): void {
  try {
    if (existsSync(dir) && readdirSync(dir).length === 0) rmdirSync(dir);
  } catch {
    // Not empty after all (a new file arrived) or already gone: leave it for the next run.
  }
}

/** Runs retention now and every `everyMs`; returns the stop function. */
export function scheduleRetention(deps: RetentionDeps, everyMs = 3600_000): () => void {
  const run = () => runRetention(deps).catch((e) => log.error('retention.failed', { error: e as Error }));
  void run();
  const t = setInterval(run, everyMs);
  t.unref();
  return () => clearInterval(t);
}
