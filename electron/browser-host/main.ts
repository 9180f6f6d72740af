// Entry point of the browser host: `npm start` runs it when Electron's binary is not installed.
// Serves the kiosk on 127.0.0.1, prints the URL, and opens Debian's Chromium in kiosk/app mode
// when asked (--open) and installed.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createKiosk } from '../main/app';
import { bundledFfmpeg, dataDir, resourcePaths } from '../main/infra/paths';
import { ffmpegBinaries } from '../../native/video/ffmpeg';
import { logger } from '../main/infra/log';
import { BrowserHost } from './server';
import { chromiumKioskArgs } from './chromium';

const log = logger('browser-host');

function videoToolsOnPath(): boolean {
  try {
    ffmpegBinaries();
    return true;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const port = Number(process.env.KIOSK_PORT ?? 8600);
  const resources = resourcePaths();
  // A machine without a system ffmpeg still renders living photos with the one shipped on npm.
  if (!process.env.FFMPEG_PATH && !videoToolsOnPath()) {
    const shipped = bundledFfmpeg();
    if (shipped) {
      process.env.FFMPEG_PATH = shipped.ffmpeg;
      process.env.FFPROBE_PATH = shipped.ffprobe;
    }
  }
  const kiosk = await createKiosk({
    dataDir: dataDir(),
    host: 'browser',
    version: process.env.npm_package_version ?? '0.1.0',
    resources,
  });
  const host = new BrowserHost(kiosk, { rendererDir: resources.rendererDir, samplesDir: join(resources.assetsDir, 'samples') });
  let url: string;
  try {
    url = await host.listen(port);
  } catch {
    url = await host.listen(0);
  }
  // The one line scripts and people look for.
  console.log(`KIOSK_URL=${url}`);
  console.log(`团圆照相馆 is running: open ${url} (phone pages on ${kiosk.phoneUrl}; data in ${kiosk.paths.root})`);

  let browser: ReturnType<typeof spawn> | null = null;
  const chromium = process.env.KIOSK_CHROMIUM ?? '/usr/bin/chromium';
  if (args.includes('--open') && existsSync(chromium)) {
    // A persistent profile keeps the one camera permission the operator granted.
    const profile = join(kiosk.paths.root, 'chromium-profile');
    browser = spawn(chromium, chromiumKioskArgs(url, profile, { kiosk: !args.includes('--window') }), { stdio: 'ignore' });
    browser.on('exit', (code) => log.info('chromium.exit', { code }));
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('stopping', { signal });
    browser?.kill();
    await host.close();
    await kiosk.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((e) => {
  console.error(`Kiosk failed to start: ${(e as Error).message}`);
  process.exit(1);
});
