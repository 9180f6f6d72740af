// `npm run sim:oss -- [--port 8791] [--bucket kiosk-media] [--ak AK --sk SK] [--sts TOKEN] [--drop-rate 0.1]`
// Runs the fake Alibaba Cloud OSS on 127.0.0.1 until Ctrl-C (it checks every request's V1/V4
// signature as ali-oss sends it) and prints how to point the kiosk at it.
import { parseArgs } from 'node:util';
import { startFakeOss } from '../electron/sim/oss/fakeOss';

function usage(msg: string): never {
  process.stderr.write(`${msg}\n`);
  process.exit(2);
}

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8791' },
    bucket: { type: 'string', default: 'kiosk-media' },
    ak: { type: 'string', default: 'LTAIsimulator' },
    sk: { type: 'string', default: 'simulator-secret' },
    sts: { type: 'string', default: '' },
    'drop-rate': { type: 'string', default: '0' },
  },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) usage('--port must be 0..65535');
if (!/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(values.bucket)) usage('--bucket must be a valid OSS bucket name');
const dropRate = Number(values['drop-rate']);
if (!(dropRate >= 0 && dropRate <= 1)) usage('--drop-rate must be 0..1');

const fake = await startFakeOss({
  port,
  buckets: [values.bucket],
  credentials: [{ accessKeyId: values.ak, accessKeySecret: values.sk, ...(values.sts ? { securityToken: values.sts } : {}) }],
});
// Flaky network on demand: every few seconds, maybe drop the next request.
const flaky = dropRate > 0 ? setInterval(() => Math.random() < dropRate && fake.fail('drop', 1), 2000) : null;

process.stdout.write(
  [
    `Fake OSS on ${fake.url} (bucket ${values.bucket}, signatures checked${values.sts ? ', STS token required' : ''}${dropRate ? `, drop rate ${dropRate}` : ''})`,
    'Point the kiosk at it with:',
    `  KIOSK_SHARE=oss OSS_ENDPOINT=${fake.url} OSS_PATH_STYLE=1 OSS_BUCKET=${values.bucket} OSS_ACCESS_KEY_ID=${values.ak} OSS_ACCESS_KEY_SECRET=${values.sk}${values.sts ? ` OSS_STS_TOKEN=${values.sts}` : ''}`,
    '',
  ].join('\n'),
);

const stop = async () => {
  if (flaky) clearInterval(flaky);
  const byStatus: Record<string, number> = {};
  for (const r of fake.requests) byStatus[`${r.method} ${r.status}${r.code ? ` ${r.code}` : ''}`] = (byStatus[`${r.method} ${r.status}${r.code ? ` ${r.code}` : ''}`] ?? 0) + 1;
  process.stdout.write(`${JSON.stringify({ objects: fake.objects.size, requests: byStatus })}\n`);
  await fake.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
