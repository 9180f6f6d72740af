// Runs the Alipay OpenAPI gateway simulator (当面付) on loopback until Ctrl-C:
//   npm run sim:alipay -- [--port 8791] [--mode public-key|certificate] [--dir .tmp/alipay-sim] [--auto-pay-ms 3000]
// It generates fresh key pairs (and, in certificate mode, a root CA with the app and Alipay
// public-key certificates), writes the kiosk-side files and alipay.env into --dir and prints one
// JSON line saying where. Point the kiosk (or `npm run pay -- --provider alipay`) at it with:
//   set -a; . <dir>/alipay.env
// Open a qr_code URL in a browser to "scan and pay"; GET /__sim/books shows what was paid and refunded.
import { resolve } from 'node:path';
import { startAlipaySimulator } from '../electron/sim/alipay/simulator';

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const mode = (flag('mode') ?? 'public-key') as 'public-key' | 'certificate';
if (!['public-key', 'certificate'].includes(mode)) {
  process.stderr.write('--mode is public-key or certificate\n');
  process.exit(2);
}
const port = Number(flag('port') ?? 0);
const dir = resolve(flag('dir') ?? '.tmp/alipay-sim');
const autoPay = flag('auto-pay-ms');

const sim = await startAlipaySimulator({
  port: Number.isInteger(port) && port >= 0 && port < 65536 ? port : 0,
  mode,
  keyDir: dir,
  autoPayAfterMs: autoPay !== undefined ? Number(autoPay) : undefined,
});

process.stdout.write(
  JSON.stringify({ ok: true, url: sim.url, gateway: sim.gateway, mode, app_id: sim.appId, dir, env_file: sim.files.envFile, books: `${sim.url}/__sim/books` }) + '\n',
);

const stop = () => {
  void sim.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
