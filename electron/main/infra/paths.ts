// Every path the app reads or writes is resolved here, once (packaged app vs. source checkout).
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ResourcePaths {
  /** Style data, prompts, templates, fonts, sounds, sample results. */
  assetsDir: string;
  /** ONNX models and manifest.json. */
  modelsDir: string;
  /** The built renderer (index.html + assets). */
  rendererDir: string;
}

/** Finds the project root from this file, whether run from TS sources or from dist/ bundles. */
export function projectRoot(from: string = currentDir()): string {
  let dir = from;
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'assets'))) return dir;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return process.cwd();
}

function currentDir(): string {
  // CJS bundles (Electron main) have __dirname; ESM sources have import.meta.url.
  if (typeof __dirname === 'string') return __dirname;
  return dirname(fileURLToPath(import.meta.url));
}

/**
 * In a packaged Electron app, models/ and assets/ are extraResources next to app.asar
 * (process.resourcesPath); everywhere else they are in the project root.
 */
export function resourcePaths(opts: { resourcesPath?: string; packaged?: boolean; root?: string } = {}): ResourcePaths {
  if (opts.packaged && opts.resourcesPath) {
    return {
      assetsDir: join(opts.resourcesPath, 'assets'),
      modelsDir: join(opts.resourcesPath, 'models'),
      rendererDir: join(opts.resourcesPath, 'app.asar', 'dist', 'renderer'),
    };
  }
  const root = opts.root ?? projectRoot();
  return {
    assetsDir: join(root, 'assets'),
    modelsDir: join(root, 'models'),
    rendererDir: join(root, 'dist', 'renderer'),
  };
}

/**
 * The one data directory (database, photos, results, logs, print output).
 * KIOSK_DATA_DIR overrides; Electron passes app.getPath('userData'); the browser host uses a per-user dir.
 */
export function dataDir(electronUserData?: string, env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.KIOSK_DATA_DIR
    ? resolve(env.KIOSK_DATA_DIR)
    : electronUserData ??
      (process.platform === 'win32'
        ? join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'tuanyuan-kiosk')
        : join(env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'tuanyuan-kiosk'));
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

export interface DataPaths {
  root: string;
  db: string;
  originals: string;
  results: string;
  work: string;
  prints: string;
  logs: string;
  share: string;
}

export function dataPaths(root: string): DataPaths {
  const p: DataPaths = {
    root,
    db: join(root, 'kiosk.sqlite'),
    originals: join(root, 'originals'),
    results: join(root, 'results'),
    work: join(root, 'work'),
    prints: join(root, 'prints'),
    logs: join(root, 'logs'),
    share: join(root, 'share'),
  };
  for (const d of [p.originals, p.results, p.work, p.prints, p.logs, p.share]) mkdirSync(d, { recursive: true, mode: 0o700 });
  return p;
}

/**
 * Private by default (issue 13.5): the customers' photos, the database and the logs are the kiosk
 * user's alone. Sets umask 077 for this process and its children (ffmpeg, the print spooler), so
 * every new file is 0600 and every new folder 0700, and tightens what an older version left
 * readable (one walk, only when the data folder itself is still open to others).
 */
export function privateByDefault(root: string): { umaskSet: boolean; tightened: number } {
  if (process.platform === 'win32') return { umaskSet: false, tightened: 0 }; // ACLs of the user profile apply
  let umaskSet = false;
  try {
    process.umask(0o077);
    umaskSet = true;
  } catch {
    // Worker threads may not set it; files the kiosk writes itself are opened 0600 anyway.
  }
  mkdirSync(root, { recursive: true, mode: 0o700 });
  let tightened = 0;
  if ((lstatSync(root).mode & 0o077) !== 0) tightened = tighten(root);
  return { umaskSet, tightened };
}

function tighten(path: string): number {
  const st = lstatSync(path);
  if (st.isSymbolicLink()) return 0;
  let n = 0;
  if ((st.mode & 0o077) !== 0) {
    chmodSync(path, st.mode & 0o700);
    n++;
  }
  if (st.isDirectory()) for (const e of readdirSync(path)) n += tighten(join(path, e));
  return n;
}

/**
 * The ffmpeg/ffprobe binaries shipped with the app (npm packages @ffmpeg-installer/ffmpeg and
 * @ffprobe-installer/ffprobe, one binary per platform). In a packaged app they are unpacked from
 * app.asar (electron-builder asarUnpack), so their paths point into app.asar.unpacked.
 */
export function bundledFfmpeg(resolveModule: (id: string) => { path: string } = (id) => requireModule(id)): { ffmpeg: string; ffprobe: string } | null {
  try {
    const unpacked = (p: string) => p.replace(`app.asar${sep}`, `app.asar.unpacked${sep}`);
    const ffmpeg = unpacked(resolveModule('@ffmpeg-installer/ffmpeg').path);
    const ffprobe = unpacked(resolveModule('@ffprobe-installer/ffprobe').path);
    return existsSync(ffmpeg) && existsSync(ffprobe) ? { ffmpeg, ffprobe } : null;
  } catch {
    return null; // no binary for this platform: the system's ffmpeg (PATH / FFMPEG_PATH) is used
  }
}

function requireModule(id: string): { path: string } {
  return createRequire(typeof __filename === 'string' ? __filename : fileURLToPath(import.meta.url))(id) as { path: string };
}
