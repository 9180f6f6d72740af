// `npm run restore -- <object key> --data-dir DIR [--force]` — puts a kiosk's encrypted nightly
// backup (services/fleet/backup.ts) back as DIR/kiosk.sqlite on a new machine.
// The key: FLEET_BACKUP_KEY (64 hex, the kiosk's fleet.backup-key), or FLEET_MASTER_KEY, from which
// the kiosk's backup key is derived (the kiosk id is read from the object key fleet/<kioskId>/backups/…).
// OSS: the OSS_* environment variables; without OSS_BUCKET the local fake in --oss-dir (like `npm run fleet`).
// Also `npm run restore -- --list <kioskId>` lists the backups kept for a kiosk.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { deriveBackupKey, restoreBackup, backupPrefix } from '../electron/main/services/fleet/backup';
import { createFleetOss } from '../electron/main/services/fleet/objects';
import { OssConfig, ossConfigFromEnv } from '../electron/main/services/share/oss/config';
import { startFakeOss } from '../electron/sim/oss/fakeOss';

function fail(msg: string): never {
  process.stderr.write(`${msg}\n`);
  process.exit(2);
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { 'data-dir': { type: 'string' }, force: { type: 'boolean', default: false }, list: { type: 'string' }, 'oss-dir': { type: 'string', default: '.fleet-sim/oss' }, prefix: { type: 'string', default: 'fleet/' } },
});

let config: OssConfig | null;
try {
  config = ossConfigFromEnv(null, process.env);
} catch (e) {
  fail((e as Error).message);
}
let close = async () => {};
if (!config) {
  const creds = { accessKeyId: 'LTAIfleetsim', accessKeySecret: 'fleet-sim-secret' };
  const fake = await startFakeOss({ buckets: ['fleet-sim'], credentials: [creds], dataDir: resolve(values['oss-dir']) });
  config = OssConfig.parse({ endpoint: fake.url, bucket: 'fleet-sim', ...creds, pathStyle: true, linkSecret: 'x'.repeat(40) });
  close = () => fake.close();
  process.stderr.write(`(no OSS_BUCKET: using the local fake OSS in ${values['oss-dir']})\n`);
}
const oss = createFleetOss(config);

if (values.list) {
  const l = await oss.list(backupPrefix(values.prefix, values.list));
  for (const o of l.objects) process.stdout.write(`${o.key}\t${o.size} bytes\t${o.lastModified}\n`);
  await close();
  process.exit(0);
}

const key = positionals[0];
if (!key) fail('usage: npm run restore -- <object key> --data-dir DIR [--force]   (or --list <kioskId>)');
if (!values['data-dir']) fail('--data-dir DIR is required (the new machine\'s kiosk data directory)');
const m = /^(.*\/)?([A-Za-z0-9_-]+)\/backups\/[^/]+\.sqlite\.gz\.enc$/.exec(key);
if (!m) fail('the object key must look like fleet/<kioskId>/backups/<stamp>.sqlite.gz.enc');
const kioskId = m[2]!;
let keyHex = process.env.FLEET_BACKUP_KEY;
if (!keyHex) {
  const master = process.env.FLEET_MASTER_KEY;
  if (!master) fail('set FLEET_BACKUP_KEY (the kiosk\'s fleet.backup-key) or FLEET_MASTER_KEY');
  keyHex = deriveBackupKey(master, kioskId);
}
const dir = resolve(values['data-dir']);
mkdirSync(dir, { recursive: true });
try {
  const header = await restoreBackup({ oss, key, keyHex, targetDb: join(dir, 'kiosk.sqlite'), force: values.force });
  process.stdout.write(`restored ${kioskId}'s database of ${header.createdAt} (schema v${header.schemaVersion}, ${header.bytes} bytes, sha256 ${header.sha256.slice(0, 16)}…) to ${join(dir, 'kiosk.sqlite')}\n`);
  process.stdout.write('Next: copy config.json and the secret store to the new machine (or set them again) and start the kiosk.\n');
} catch (e) {
  fail(`restore failed: ${(e as Error).message}`);
} finally {
  await close();
}
