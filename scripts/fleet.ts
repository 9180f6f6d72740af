// `npm run fleet -- <command>` — the operator's side of the fleet (no server of our own: OSS only).
//   keys     --kiosk ID                      the kiosk's signing and backup keys, derived from FLEET_MASTER_KEY
//   simulate --kiosks 50 --days 30           fills the bucket with a believable fleet (heartbeats, daily summaries)
//   report   --out DIR [--days 30] [--cache DIR]   HTML page + CSV files; ends with one RESULT line
//   publish  --group G --file settings.json --key operator.pem   signs (Ed25519) and uploads remote settings
//   genkey   --out operator.pem               an Ed25519 key pair for publishing settings
//   stage    --channel G --percent N [--from latest] [--updates-prefix updates/]
//            copies the release's <from>.yml (and -linux.yml) on the update feed to the group's channel
//            with electron-updater's stagingPercentage = N (10 → 50 → 100 is a staged rollout)
// OSS: the OSS_* environment variables (README "Object storage"). Without OSS_BUCKET the commands use
// the local fake OSS kept in --oss-dir (default .fleet-sim/oss), through the same ali-oss adapter —
// then FLEET_MASTER_KEY defaults to a demo key and the report says DEMO DATA.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createFleetOss, type FleetOss } from '../electron/main/services/fleet/objects';
import { readFleet } from '../electron/main/services/fleet/report/read';
import { renderCsv, renderHtml } from '../electron/main/services/fleet/report/render';
import { simulateFleet } from '../electron/main/services/fleet/report/simulate';
import { publishSettings } from '../electron/main/services/fleet/remoteSettings';
import { deriveBackupKey } from '../electron/main/services/fleet/backup';
import { deriveKioskKey, generateSigningKeys } from '../electron/main/services/fleet/sign';
import { setStagingPercentage } from '../electron/main/services/fleet/updater';
import { OssConfig, ossConfigFromEnv } from '../electron/main/services/share/oss/config';
import { startFakeOss, type FakeOss } from '../electron/sim/oss/fakeOss';

const DEMO_MASTER_KEY = 'demo-fleet-master-key-not-for-production';

function fail(msg: string): never {
  process.stderr.write(`${msg}\n`);
  process.exit(2);
}

const [command, ...rest] = process.argv.slice(2);
const { values } = parseArgs({
  args: rest,
  options: {
    kiosks: { type: 'string', default: '50' },
    days: { type: 'string', default: '30' },
    out: { type: 'string' },
    cache: { type: 'string' },
    'oss-dir': { type: 'string', default: '.fleet-sim/oss' },
    kiosk: { type: 'string' },
    group: { type: 'string' },
    file: { type: 'string' },
    key: { type: 'string' },
    seed: { type: 'string', default: '2026' },
    channel: { type: 'string' },
    percent: { type: 'string' },
    from: { type: 'string', default: 'latest' },
    'updates-prefix': { type: 'string', default: 'updates/' },
  },
});

async function connect(): Promise<{ oss: FleetOss; fake: FakeOss | null; masterKey: string; demo: boolean }> {
  let config: OssConfig | null;
  try {
    config = ossConfigFromEnv(null, process.env);
  } catch (e) {
    fail((e as Error).message);
  }
  const envKey = process.env.FLEET_MASTER_KEY;
  if (config) {
    if (!envKey || envKey.length < 32) fail('FLEET_MASTER_KEY (≥ 32 characters) is required with a real OSS bucket');
    return { oss: createFleetOss(config), fake: null, masterKey: envKey, demo: false };
  }
  const creds = { accessKeyId: 'LTAIfleetsim', accessKeySecret: 'fleet-sim-secret' };
  const fake = await startFakeOss({ buckets: ['fleet-sim'], credentials: [creds], dataDir: resolve(values['oss-dir']) });
  const local = OssConfig.parse({ endpoint: fake.url, bucket: 'fleet-sim', ...creds, pathStyle: true, linkSecret: 'x'.repeat(40) });
  return { oss: createFleetOss(local), fake, masterKey: envKey ?? DEMO_MASTER_KEY, demo: true };
}

function positive(name: string, v: string | undefined, max: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max) fail(`--${name} must be an integer 1..${max}`);
  return n;
}

switch (command) {
  case 'keys': {
    const master = process.env.FLEET_MASTER_KEY;
    if (!master || master.length < 32) fail('FLEET_MASTER_KEY (≥ 32 characters) is required');
    if (!values.kiosk || !/^[A-Za-z0-9_-]{1,32}$/.test(values.kiosk)) fail('--kiosk ID is required (letters, digits, - and _)');
    process.stdout.write(`# store these in the kiosk's secret store (admin screen → 远程管理 → 密钥)\nfleet.kiosk-key=${deriveKioskKey(master, values.kiosk)}\nfleet.backup-key=${deriveBackupKey(master, values.kiosk)}\n`);
    break;
  }
  case 'genkey': {
    if (!values.out) fail('--out FILE is required (the private key; keep it off the kiosks)');
    const k = generateSigningKeys();
    writeFileSync(values.out, k.privateKeyPem, { mode: 0o600 });
    writeFileSync(`${values.out}.pub`, k.publicKeyPem);
    process.stdout.write(`private key: ${values.out} (0600)\npublic key: ${values.out}.pub — put it in each kiosk's config.json as fleet.settingsPublicKey\n`);
    break;
  }
  case 'simulate': {
    const kiosks = positive('kiosks', values.kiosks, 5000);
    const days = positive('days', values.days, 400);
    const { oss, fake, masterKey, demo } = await connect();
    const t0 = performance.now();
    const r = await simulateFleet(oss, { kiosks, days, masterKey, seed: Number(values.seed) || 2026 });
    await fake?.close();
    process.stdout.write(`simulated ${kiosks} kiosks × ${days} days: ${r.objects} objects written in ${((performance.now() - t0) / 1000).toFixed(1)} s${demo ? ` to the local fake OSS in ${values['oss-dir']}` : ''}; silent kiosks: ${r.stale.join(', ') || 'none'}\n`);
    break;
  }
  case 'report': {
    if (!values.out) fail('--out DIR is required');
    const days = positive('days', values.days, 400);
    const { oss, fake, masterKey, demo } = await connect();
    const t0 = performance.now();
    const data = await readFleet(oss, { masterKey, days, cacheDir: values.cache ? resolve(values.cache) : undefined });
    const out = resolve(values.out);
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'index.html'), renderHtml(data, { demo }));
    for (const [name, body] of Object.entries(renderCsv(data))) writeFileSync(join(out, name), body);
    const seconds = (performance.now() - t0) / 1000;
    await fake?.close();
    const stale = data.kiosks.filter((k) => k.stale);
    process.stdout.write(`report: ${join(out, 'index.html')}, daily.csv, kiosks.csv\n`);
    if (stale.length) process.stdout.write(`SILENT > 10 min: ${stale.map((k) => `${k.kioskId} (${k.silentMin ?? 'never'} min)`).join(', ')}\n`);
    const refused = data.kiosks.reduce((s, k) => s + k.refused.length, 0);
    if (refused) process.stdout.write(`refused documents (signature/shape): ${refused}\n`);
    process.stdout.write(`RESULT kiosks=${data.kiosks.length} days=${data.days.length} objects_read=${data.objectsRead} cache_hits=${data.cacheHits} list_requests=${data.listRequests} stale=${stale.length} seconds=${seconds.toFixed(2)}\n`);
    break;
  }
  case 'publish': {
    if (!values.group || !values.file || !values.key) fail('usage: npm run fleet -- publish --group G --file settings.json --key operator.pem');
    const { oss, fake } = await connect();
    const doc = await publishSettings(oss, { group: values.group, settings: JSON.parse(readFileSync(values.file, 'utf8')) as unknown, privateKeyPem: readFileSync(values.key, 'utf8') });
    await fake?.close();
    process.stdout.write(`published settings ${doc.version} for group ${values.group} (${doc.key})\n`);
    break;
  }
  case 'stage': {
    if (!values.channel || !/^[a-z0-9-]{1,32}$/.test(values.channel)) fail('--channel is the group\'s channel (a-z, 0-9, -)');
    const percent = Number(values.percent);
    if (!Number.isInteger(percent) || percent < 0 || percent > 100) fail('--percent must be 0..100');
    const { oss, fake } = await connect();
    let staged = 0;
    for (const suffix of ['', '-linux', '-mac']) {
      const src = await oss.get(`${values['updates-prefix']}${values.from}${suffix}.yml`);
      if (!src) continue;
      const out = setStagingPercentage(src.toString('utf8'), percent);
      await oss.putBuffer(`${values['updates-prefix']}${values.channel}${suffix}.yml`, Buffer.from(out), 'text/yaml', { publicRead: true });
      process.stdout.write(`${values['updates-prefix']}${values.channel}${suffix}.yml ← ${values.from}${suffix}.yml, stagingPercentage ${percent}\n`);
      staged++;
    }
    await fake?.close();
    if (!staged) fail(`no ${values['updates-prefix']}${values.from}.yml on the feed: upload the release (installers, blockmaps, latest.yml) first`);
    break;
  }
  default:
    fail('usage: npm run fleet -- keys|genkey|simulate|report|publish|stage …  (see scripts/fleet.ts)');
}
