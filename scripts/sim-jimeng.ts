// `npm run sim:jimeng -- [--port 8790] [--latency-ms 6000] [--fixed] [--max-concurrent 2]
//   [--faults throttle=0.05,broken_face=0.05,...] [--script throttle,post_audit,...] [--ak AK --sk SK]`
// Runs the Jimeng simulator (image and image-to-video req_keys on one server) on 127.0.0.1 until
// Ctrl-C and prints how to point the kiosk at it.
import { parseArgs } from 'node:util';
import { startJimengSimulator, type SimFault, type SimFaultRates } from '../electron/sim/jimeng/simulator';

const FAULTS: SimFault[] = ['throttle', 'concurrent', 'input_audit', 'text_audit', 'server_error', 'hang', 'slow', 'post_audit', 'partial', 'broken_face', 'url_expired'];

function usage(msg: string): never {
  process.stderr.write(`${msg}\nfaults: ${FAULTS.join(', ')}\n`);
  process.exit(2);
}

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8790' },
    'latency-ms': { type: 'string', default: '6000' },
    fixed: { type: 'boolean', default: false },
    'max-concurrent': { type: 'string', default: '0' },
    faults: { type: 'string', default: '' },
    script: { type: 'string', default: '' },
    ak: { type: 'string', default: 'AKLTsimulator' },
    sk: { type: 'string', default: 'simulator-secret' },
  },
});

const rates: SimFaultRates = {};
for (const part of values.faults.split(',').filter(Boolean)) {
  const [name, p] = part.split('=');
  if (!FAULTS.includes(name as SimFault) || !(Number(p) >= 0 && Number(p) <= 1)) usage(`bad fault "${part}" (name=probability)`);
  rates[name as keyof SimFaultRates] = Number(p);
}
const script = values.script.split(',').filter(Boolean) as SimFault[];
for (const s of script) if (!FAULTS.includes(s) && s !== 'none') usage(`bad script entry "${s}"`);
const latencyMs = Number(values['latency-ms']);
if (!(latencyMs > 0)) usage('--latency-ms must be positive');

const sim = await startJimengSimulator({
  port: Number(values.port),
  accessKey: values.ak,
  secretKey: values.sk,
  latency: values.fixed ? { kind: 'fixed', ms: latencyMs } : { kind: 'lognormal', medianMs: latencyMs, sigma: 0.35 },
  maxConcurrentTasks: Number(values['max-concurrent']),
  faults: rates,
  script,
});
process.stdout.write(
  [
    `Jimeng simulator on ${sim.url} (latency ${values.fixed ? 'fixed' : 'median'} ${latencyMs} ms, faults ${JSON.stringify(rates)})`,
    'Point the kiosk or `npm run generate -- --provider jimeng` at it with (KIOSK_MOTION=jimeng: living photos from it too):',
    `  JIMENG_ENDPOINT=${sim.url} JIMENG_ACCESS_KEY=${sim.accessKey} JIMENG_SECRET_KEY=${sim.secretKey} KIOSK_GENERATOR=jimeng KIOSK_MOTION=jimeng`,
    '',
  ].join('\n'),
);
const stop = async () => {
  process.stdout.write(`${JSON.stringify(sim.stats)}\n`);
  await sim.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
