// Fleet documents on their way to OSS: each one is written to a file first and queued in the same
// persistent upload queue the photos use (share/uploadQueue.ts), so heartbeats written while the
// mall's network is down are uploaded when it returns, also after a restart. Objects that are
// overwritten (latest.json, today's summary) upload only their newest version.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../infra/files';
import { logger } from '../../infra/log';
import { createUploadQueue, type UploadQueue } from '../share/uploadQueue';
import type { FleetOss } from './objects';

const log = logger('fleet.outbox');

export interface FleetOutbox {
  /** Queues the bytes for `objectKey`. With `replaceable`, an older queued version is skipped. */
  put(objectKey: string, body: Buffer | string, contentType: string, opts?: { replaceable?: boolean; priority?: number }): void;
  queue: UploadQueue;
  start(): void;
  stop(): Promise<void>;
}

export function createFleetOutbox(opts: { dir: string; oss: FleetOss; now?: () => number; baseDelayMs?: number; maxDelayMs?: number }): FleetOutbox {
  const files = join(opts.dir, 'fleet-outbox');
  mkdirSync(files, { recursive: true });
  // objectKey → queue key of its newest version, on disk so a restart cannot upload an old one last.
  const newestFile = join(opts.dir, 'fleet-outbox-newest.json');
  const newest = new Map<string, string>();
  try {
    if (existsSync(newestFile)) for (const [k, v] of Object.entries(JSON.parse(readFileSync(newestFile, 'utf8')) as Record<string, string>)) newest.set(k, v);
  } catch (e) {
    log.warn('newest.unreadable', { error: e as Error });
  }
  const saveNewest = () => writeFileAtomic(newestFile, JSON.stringify(Object.fromEntries(newest)));
  let n = 0;
  const objectOf = (queueKey: string) => queueKey.slice(0, queueKey.lastIndexOf('#'));
  const queue: UploadQueue = createUploadQueue({
    stateFile: join(opts.dir, 'fleet-outbox.json'),
    now: opts.now,
    baseDelayMs: opts.baseDelayMs ?? 5000,
    maxDelayMs: opts.maxDelayMs ?? 10 * 60_000,
    // A heartbeat older than two days is history nobody reads; drop it rather than queue forever.
    giveUpAfterMs: 2 * 86_400_000,
    upload: async (t) => {
      const key = objectOf(t.key);
      const latest = newest.get(key);
      if (latest && latest !== t.key) return; // superseded: the newer version carries the news
      await opts.oss.putFile(key, t.filePath, t.contentType);
    },
    onChange: (r) => {
      if (r.state !== 'done' && r.state !== 'failed') return;
      if (r.state === 'failed') log.warn('document.dropped', { key: objectOf(r.key), error: r.lastError });
      // Done documents are not kept in the queue's state (it would grow by 300 a day).
      setImmediate(() => {
        queue.forget([r.key]);
        rmSync(r.filePath, { force: true });
        // The newest version is remembered until no older one is left in the queue: an older version
        // still waiting (its upload failed while the newest went through) must be skipped, not
        // uploaded over the newest.
        const object = objectOf(r.key);
        if (newest.has(object) && !queue.keys().some((k) => objectOf(k) === object)) {
          newest.delete(object);
          saveNewest();
        }
      });
    },
  });
  return {
    queue,
    put(objectKey, body, contentType, o = {}) {
      const qk = `${objectKey}#${Date.now().toString(36)}-${(n++).toString(36)}`;
      const file = join(files, `${qk.replace(/[^A-Za-z0-9._-]/g, '_')}`);
      writeFileAtomic(file, body);
      if (o.replaceable) {
        newest.set(objectKey, qk);
        saveNewest();
      }
      queue.enqueue({ key: qk, filePath: file, contentType, kind: 'result', priority: o.priority ?? 1 });
    },
    start: () => queue.start(),
    stop: () => queue.stop(),
  };
}
