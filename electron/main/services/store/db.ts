// The kiosk's one database: orders, payments, deliverables, tokens, assets, settings, audit log.
// WAL for concurrent readers; synchronous=FULL because a committed "paid" must survive a power cut.
import Database from 'better-sqlite3';
import { migrations } from './migrations';
import { logger } from '../../infra/log';

const log = logger('store');

export type Db = Database.Database;

export function openDb(path: string): Db {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

/** Applies each migration not yet applied, each in its own transaction, recording user_version. */
export function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (const [i, sql] of migrations.entries()) {
    const version = i + 1;
    if (version <= current) continue;
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${version}`);
    })();
    log.info('migrated', { version });
  }
}

/** Runs fn in an IMMEDIATE transaction (takes the write lock first, so read-then-write cannot race). */
export function tx<T>(db: Db, fn: () => T): T {
  return db.transaction(fn).immediate();
}
