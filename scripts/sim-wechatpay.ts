// Runs the WeChat Pay APIv3 simulator on loopback until Ctrl-C:
//   npm run sim:wechatpay -- [--port 8790] [--mode public-key|certificate|both] [--dir .tmp/wechatpay-sim]
//                            [--notify-url http://127.0.0.1:8787/wechatpay/notify] [--auto-pay-ms 3000]
// It generates fresh key pairs, writes the kiosk-side files (merchant private key, WeChat public
// key / platform certificate, wechatpay.env, wechatpay.config.json) into --dir and prints one JSON
// line saying where. Point the kiosk (or `npm run pay`) at it with:  set -a; . <dir>/wechatpay.env
// Open a code_url in a browser to "scan and pay"; GET /__sim/books shows what was paid and refunded.
import { resolve } from 'node:path';
import { startWeChatPaySimulator } from '../electron/sim/wechatpay/simulator';

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const mode = (flag('mode') ?? 'public-key') as 'public-key' | 'certificate' | 'both';
if (!['public-key', 'certificate', 'both'].includes(mode)) {
  process.stderr.write('--mode is public-key, certificate or both\n');
  process.exit(2);
}
const port = Number(flag('port') ?? 0);
const dir = resolve(flag('dir') ?? '.tmp/wechatpay-sim');
const autoPay = flag('auto-pay-ms');

const sim = await startWeChatPaySimulator({
  port: Number.isInteger(port) && port >= 0 && port < 65536 ? port : 0,
  mode,
  keyDir: dir,
  notifyUrl: flag('notify-url'),
  autoPayAfterMs: autoPay !== undefined ? Number(autoPay) : undefined,
});

process.stdout.write(
  JSON.stringify({
    ok: true,
    url: sim.url,
    mode,
    mchid: sim.mchid,
    appid: sim.appid,
    merchant_serial: sim.merchantSerial,
    public_key_id: sim.publicKeyId,
    platform_serial: sim.platformSerial,
    dir,
    env_file: sim.files.envFile,
    config_file: sim.files.configFile,
    books: `${sim.url}/__sim/books`,
  }) + '\n',
);

const stop = () => {
  void sim.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
