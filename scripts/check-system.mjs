// `node scripts/check-system.mjs [test|unit|e2e|electron]`: the first step of `npm test`, `test:unit`,
// `test:e2e` and `test:electron`. It names every system package the tests need that this machine
// lacks, with the command that installs it, and exits 1, so a missing Chromium or CUPS queue is one
// clear line instead of a failure deep inside a test. No network, no side effects; well under a second.
//
// The decision (what is required for which run, what counts as missing, which command fixes it) is
// pure: `systemProblems(scope, probe)` takes the machine as a probe object, so the unit test
// (check-system.test.ts) runs every case without touching this machine.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The queue and output folder the CUPS tests print into (scripts/ci-cups-setup.sh makes them). */
const cupsQueue = (env) => env.KIOSK_CUPS_QUEUE ?? 'kiosk-pdf';
const cupsOut = (env) => env.KIOSK_CUPS_PDF_OUT ?? '/var/spool/cups-pdf/kiosk';
const CUPS_PDF_BACKEND = '/usr/lib/cups/backend/cups-pdf';
const NOTO_CJK_FILES = ['/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', '/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc'];

/**
 * Every requirement, once. `scopes`: which runs need it (`test` is `npm test`, i.e. unit + e2e).
 * `check(probe)` returns null when satisfied, else what is wrong. `debian`: the package(s) that
 * provide it; `fix`: a command other than apt-get (a set-up step) when the package is there.
 */
export const requirements = [
  {
    id: 'chromium',
    scopes: ['unit', 'e2e'],
    platforms: ['linux'],
    debian: ['chromium'],
    check: (p) => {
      const path = p.env.KIOSK_CHROMIUM ?? '/usr/bin/chromium';
      if (p.executable(path)) return null;
      return p.env.KIOSK_CHROMIUM ? `KIOSK_CHROMIUM=${path} is not an executable file` : `${path} not found; or set KIOSK_CHROMIUM`;
    },
  },
  { id: 'ffmpeg', scopes: ['unit', 'e2e'], platforms: ['linux'], debian: ['ffmpeg'], check: (p) => (p.onPath('ffmpeg') ? null : 'ffmpeg not on PATH') },
  { id: 'ffprobe', scopes: ['unit', 'e2e'], platforms: ['linux'], debian: ['ffmpeg'], check: (p) => (p.onPath('ffprobe') ? null : 'ffprobe not on PATH') },
  { id: 'pdftoppm', scopes: ['unit'], platforms: ['linux'], debian: ['poppler-utils'], check: (p) => (p.onPath('pdftoppm') ? null : 'pdftoppm not on PATH') },
  {
    id: 'fonts-noto-cjk',
    scopes: ['unit', 'e2e'],
    platforms: ['linux'],
    debian: ['fonts-noto-cjk'],
    check: (p) => {
      if (NOTO_CJK_FILES.some((f) => p.exists(f))) return null;
      if (p.onPath('fc-list')) {
        const r = p.run('fc-list', [':lang=zh', 'family']);
        if (r.status === 0 && /Noto (Sans|Serif) CJK/.test(r.stdout)) return null;
      }
      return 'no Noto CJK font: Chinese text on prints and screenshots would be boxes';
    },
  },
  { id: 'cups', scopes: ['unit', 'e2e'], platforms: ['linux'], debian: ['cups'], check: (p) => (p.onPath('lpstat') ? null : 'lpstat not on PATH') },
  {
    id: 'cups-pdf',
    scopes: ['unit', 'e2e'],
    platforms: ['linux'],
    debian: ['printer-driver-cups-pdf'],
    check: (p) => (p.exists(CUPS_PDF_BACKEND) ? null : `the cups-pdf backend (${CUPS_PDF_BACKEND}) is missing`),
  },
  {
    // Only asked when CUPS and cups-pdf are installed: the queue is a set-up step, not a package.
    id: 'cups-pdf queue',
    scopes: ['unit', 'e2e'],
    platforms: ['linux'],
    after: ['cups', 'cups-pdf'],
    fix: 'sudo bash scripts/ci-cups-setup.sh',
    check: (p) => {
      const queue = cupsQueue(p.env);
      const r = p.run('lpstat', ['-p', queue]);
      if (r.status !== 0) return `CUPS queue "${queue}" not found or cupsd not running`;
      if (!p.exists(cupsOut(p.env))) return `cups-pdf output folder ${cupsOut(p.env)} missing`;
      return null;
    },
  },
  {
    // The Electron window needs an X server; a headless Linux runner gets one from xvfb-run.
    id: 'xvfb-run',
    scopes: ['electron'],
    platforms: ['linux'],
    debian: ['xvfb'],
    check: (p) => (hasDisplay(p.env) || p.onPath('xvfb-run') ? null : 'no DISPLAY and xvfb-run not on PATH'),
  },
  {
    id: 'display',
    scopes: ['electron'],
    platforms: ['linux'],
    after: ['xvfb-run'],
    fix: 'xvfb-run -a npm run test:electron',
    check: (p) => (hasDisplay(p.env) ? null : 'no DISPLAY: the Electron window needs an X server'),
  },
  {
    id: 'electron',
    scopes: ['electron'],
    platforms: ['linux', 'win32', 'darwin'],
    fix: 'npm install, with the Electron release site reachable or ELECTRON_MIRROR set',
    check: (p) => {
      const bin = p.electronBinary();
      return bin ? null : "Electron's binary is not installed: npm could not download the optional dependency 'electron'";
    },
  },
];

const hasDisplay = (env) => Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);

const SCOPES = { test: ['unit', 'e2e'], unit: ['unit'], e2e: ['e2e'], electron: ['electron'] };

/**
 * What this machine lacks for `scope`, in requirement order: [{ id, detail, debian?, fix? }].
 * A requirement with `after` is only checked when those it depends on are present, so a machine
 * without CUPS is told to install CUPS, not to set up a queue it cannot have.
 */
export function systemProblems(scope, probe) {
  const wanted = SCOPES[scope];
  if (!wanted) throw new Error(`unknown scope "${scope}" (one of ${Object.keys(SCOPES).join(', ')})`);
  const problems = [];
  const failed = new Set();
  for (const req of requirements) {
    if (!req.scopes.some((s) => wanted.includes(s)) || !req.platforms.includes(probe.platform)) continue;
    if ((req.after ?? []).some((id) => failed.has(id))) continue;
    const detail = req.check(probe);
    if (detail === null) continue;
    failed.add(req.id);
    problems.push({ id: req.id, detail, ...(req.debian ? { debian: req.debian } : {}), ...(req.fix ? { fix: req.fix } : {}) });
  }
  return problems;
}

/** One line per problem, then (on Debian) one apt-get line for all packages together. */
export function formatProblems(problems) {
  const lines = problems.map((p) => {
    const how = p.debian ? `install with: sudo apt-get install -y ${p.debian.join(' ')}` : `fix with: ${p.fix}`;
    return `missing: ${p.id} — ${how} (${p.detail})`;
  });
  const packages = [...new Set(problems.flatMap((p) => p.debian ?? []))];
  if (packages.length > 1) lines.push(`all at once: sudo apt-get install -y ${packages.join(' ')}`);
  return lines;
}

function isExecutable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The probe of this machine. */
export function realProbe(env = process.env, platform = process.platform) {
  return {
    env,
    platform,
    exists: (path) => existsSync(path),
    executable: (path) => existsSync(path) && isExecutable(path),
    onPath: (cmd) => (env.PATH ?? '').split(delimiter).some((dir) => dir && isExecutable(join(dir, cmd))),
    run: (cmd, args) => {
      const r = spawnSync(cmd, args, { encoding: 'utf8', env: { ...env, LANG: 'C', LC_ALL: 'C' }, timeout: 10_000 });
      return { status: r.status ?? -1, stdout: r.stdout ?? '' };
    },
    electronBinary: () => {
      // `require('electron')` is the binary's path, or throws when its download failed.
      try {
        const path = createRequire(import.meta.url)('electron');
        return typeof path === 'string' && existsSync(path) ? path : null;
      } catch {
        return null;
      }
    },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const scope = process.argv[2] ?? 'test';
  const problems = systemProblems(scope, realProbe());
  if (problems.length > 0) {
    console.error(`check-system: this machine lacks what \`${scope}\` needs:`);
    for (const line of formatProblems(problems)) console.error(line);
    process.exit(1);
  }
}
