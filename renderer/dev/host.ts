// `npm run dev:host -- [--local] [--printer-down] [--idle-sec N] [--port 8600]`: the renderer's dev
// host is the real one. It starts the built browser host (dist/main/browser-host.cjs, as `npm start`
// runs it: every call typed and parsed by electron/shared/contract.ts, same services, same database)
// on a throwaway data directory, with the AI and the living photo from the Jimeng simulator (images
// and video on one server) unless --local, simulated payment and the PDF printer, then prints
// KIOSK_URL=… for a browser or `node renderer/dev/screens.mjs <url>`. Ctrl-C stops it and deletes
// the data directory. (It replaces renderer/dev/fake-host.mjs, an untyped third host.)
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startJimengSimulator, type JimengSimulator } from '../../electron/sim/jimeng/simulator';

const root = fileURLToPath(new URL('../..', import.meta.url));
const { values } = parseArgs({
  options: {
    local: { type: 'boolean', default: false },
    'printer-down': { type: 'boolean', default: false },
    'idle-sec': { type: 'string' },
    port: { type: 'string', default: '8600' },
  },
});

const bundle = join(root, 'dist', 'main', 'browser-host.cjs');
if (!existsSync(bundle)) {
  process.stderr.write('dev host: dist/main/browser-host.cjs missing — run `npm run build` first\n');
  process.exit(2);
}
const dataDir = mkdtempSync(join(tmpdir(), 'kiosk-dev-'));
const env: NodeJS.ProcessEnv = { ...process.env, KIOSK_DATA_DIR: dataDir, KIOSK_PORT: values.port, KIOSK_ADMIN_PIN: process.env.KIOSK_ADMIN_PIN ?? '123456' };
let sim: JimengSimulator | null = null;
if (!values.local) {
  sim = await startJimengSimulator({ latency: { kind: 'lognormal', medianMs: 3000, sigma: 0.3 }, renderScale: 0.5 });
  Object.assign(env, { KIOSK_GENERATOR: 'jimeng', KIOSK_MOTION: 'jimeng', JIMENG_ENDPOINT: sim.url, JIMENG_ACCESS_KEY: sim.accessKey, JIMENG_SECRET_KEY: sim.secretKey });
}
// A CUPS queue that does not exist: the kiosk shows the printer as down and sells download only.
if (values['printer-down']) Object.assign(env, { KIOSK_PRINTER: 'cups', KIOSK_CUPS_QUEUE: 'dev-no-such-queue' });
if (values['idle-sec']) env.KIOSK_IDLE_TIMEOUT_SEC = values['idle-sec'];

process.stdout.write(`dev host: data in ${dataDir}, admin PIN ${env.KIOSK_ADMIN_PIN}${sim ? `, Jimeng simulator on ${sim.url}` : ', local generator'}\n`);
const child = spawn(process.execPath, [bundle], { cwd: root, env, stdio: 'inherit' });

let stopping = false;
async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  if (child.exitCode === null) child.kill('SIGTERM');
  await sim?.close();
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(code);
}
child.on('exit', (code) => void stop(code ?? 0));
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => void stop(0));
