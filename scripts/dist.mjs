// `npm run dist`: builds the installers with electron-builder. That needs Electron's binary for
// the target, which npm downloads on a machine with internet; where it is missing (these build
// machines), stop with a clear message instead of a long stack trace from the builder.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let binary = null;
try {
  binary = require('electron');
} catch {
  binary = null;
}
if (typeof binary !== 'string' || !existsSync(binary)) {
  console.error(
    [
      'npm run dist: Electron is not installed on this machine, so installers cannot be built here.',
      'Electron is an optional dependency whose binary npm downloads from the Electron release site;',
      'that download is not reachable from this network. On a machine with internet access run',
      '  npm install && npm run dist',
      'or provide a local Electron zip via ELECTRON_MIRROR / electron_config_cache (see electron-builder docs).',
    ].join('\n'),
  );
  process.exit(2);
}
for (const [cmd, args] of [
  ['npm', ['run', 'build']],
  ['npx', ['electron-builder', '--config', 'electron-builder.yml', ...process.argv.slice(2)]],
]) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', shell: process.platform === 'win32' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
