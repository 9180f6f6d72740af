import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFleetOutbox, type FleetOutbox } from './outbox';
import type { FleetOss } from './objects';

// An OSS whose uploads fail on demand, recording what each object holds in the order written.
function flakyOss() {
  const objects = new Map<string, string>();
  const failNext = new Set<string>();
  const oss: FleetOss = {
    async putFile(key, filePath) {
      const body = readFileSync(filePath, 'utf8');
      if (failNext.delete(body)) throw Object.assign(new Error('socket hang up'), { code: 'ResponseError' });
      objects.set(key, body);
    },
    putBuffer: async () => {},
    get: async () => null,
    list: async () => ({ objects: [], prefixes: [], requests: 0 }),
    remove: async () => {},
  };
  return { oss, objects, failNext };
}

async function until(cond: () => boolean, what: string): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > 5000) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('fleet outbox', () => {
  const dirs: string[] = [];
  let outbox: FleetOutbox | null = null;
  afterEach(async () => {
    await outbox?.stop();
    outbox = null;
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('never overwrites a newer latest.json with an older one whose upload failed first', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleet-outbox-'));
    dirs.push(dir);
    const { oss, objects, failNext } = flakyOss();
    // The first version's upload fails (network drop); the second goes through before the first is retried.
    failNext.add('seq 1');
    outbox = createFleetOutbox({ dir, oss, baseDelayMs: 200, maxDelayMs: 200 });
    outbox.put('fleet/k/latest.json', 'seq 1', 'application/json', { replaceable: true });
    outbox.start();
    await until(() => failNext.size === 0, 'first upload failed');
    outbox.put('fleet/k/latest.json', 'seq 2', 'application/json', { replaceable: true });
    await until(() => outbox!.queue.stats().pending === 0 && outbox!.queue.stats().uploading === 0, 'queue drained');
    expect(objects.get('fleet/k/latest.json')).toBe('seq 2');
    // Once no older version is queued the object is forgotten: the next version uploads as usual.
    outbox.put('fleet/k/latest.json', 'seq 3', 'application/json', { replaceable: true });
    await until(() => objects.get('fleet/k/latest.json') === 'seq 3', 'third version uploaded');
    const remembered = () => Object.keys(JSON.parse(readFileSync(join(dir, 'fleet-outbox-newest.json'), 'utf8')) as object);
    await until(() => remembered().length === 0, 'nothing remembered once the queue is empty');
  });
});
