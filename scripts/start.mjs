// `npm start`: build what is stale, then run the kiosk in Electron when its binary is installed,
// otherwise in the browser host (which opens Debian's Chromium in kiosk mode when it is there).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const root = new URL('..', import.meta.url).pathname;

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(join(root, p)).mtimeMs);
  }
  return t;
}

const built = ['dist/main/browser-host.cjs', 'dist/renderer/index.html'].map((f) => join(root, f));
const stale =
  !built.every(existsSync) ||
  Math.max(newest('electron'), newest('native'), newest('renderer')) > Math.min(...built.map((f) => statSync(f).mtimeMs));
if (stale) {
  console.log('Building the kiosk …');
  const r = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

/** The Electron binary's path, or null when the optional dependency could not download it. */
function electronBinary() {
  try {
    const p = require('electron');
    return typeof p === 'string' && existsSync(p) ? p : null;
  } catch {
    return null;
  }
}

const args = process.argv.slice(2);
const electron = process.env.KIOSK_HOST === 'browser' ? null : electronBinary();
const child = electron
  ? spawn(electron, [join(root, 'dist/main/electron-main.cjs'), ...args], { cwd: root, stdio: 'inherit' })
  : spawn(process.execPath, [join(root, 'dist/main/browser-host.cjs'), '--open', ...args], { cwd: root, stdio: 'inherit' });
if (!electron) console.log('Electron is not installed here: starting the browser host instead.');
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code) => process.exit(code ?? 0));
