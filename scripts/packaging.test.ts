// The installer configuration ships what the app loads at run time, from where infra/paths.ts
// looks for it. (Building the installers needs Electron's binary, which these machines cannot
// download; this checks the configuration and the path logic instead.)
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { bundledFfmpeg, projectRoot, resourcePaths } from '../electron/main/infra/paths';
import { bundles } from './bundles.mjs';

const root = projectRoot();
const builder = load(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as {
  electronVersion: string;
  files: string[];
  asarUnpack: string[];
  extraResources: { from: string; to: string; filter?: string[] }[];
  afterPack: string;
  win: { target: { target: string }[] };
  nsis: { perMachine: boolean };
  linux: { target: string[] };
};
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  main: string;
  dependencies: Record<string, string>;
  optionalDependencies: Record<string, string>;
};

/** A tiny glob matcher for electron-builder's patterns (** and *), enough for our lists. */
function matches(pattern: string, file: string): boolean {
  const re = new RegExp(
    '^' +
      pattern
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*\*\//g, '\u0001')
        .replace(/\*\*/g, '\u0002')
        .replace(/\*/g, '[^/]*')
        .replace(/\u0001/g, '(?:.*/)?')
        .replace(/\u0002/g, '.*') +
      '$',
  );
  return re.test(file);
}
const included = (file: string) =>
  builder.files.some((p) => !p.startsWith('!') && matches(p, file)) && !builder.files.some((p) => p.startsWith('!') && matches(p.slice(1), file));

describe('installer configuration', () => {
  it('ships the entry point, every main-process bundle and the renderer', () => {
    expect(included(pkg.main)).toBe(true);
    expect(pkg.main).toBe('dist/main/electron-main.cjs');
    for (const name of Object.keys(bundles)) expect(included(`dist/main/${name}.cjs`), name).toBe(true);
    expect(included('dist/renderer/index.html')).toBe(true);
    expect(included('dist/renderer/phone.html')).toBe(true);
    expect(included('dist/main/electron-main.cjs.map')).toBe(false);
  });

  it('unpacks every native module and the worker from the asar archive', () => {
    for (const mod of ['better-sqlite3', 'sharp', 'onnxruntime-node']) {
      expect(Object.keys(pkg.dependencies)).toContain(mod);
      expect(builder.asarUnpack.some((p) => matches(p, `node_modules/${mod}/build/x.node`) || matches(p, `node_modules/${mod}/lib/x.node`)), mod).toBe(true);
    }
    expect(builder.asarUnpack).toContain('dist/main/worker.cjs');
  });

  it('ships ffmpeg and ffprobe, and finds them outside the asar archive when packaged', () => {
    for (const mod of ['@ffmpeg-installer/ffmpeg', '@ffprobe-installer/ffprobe']) {
      expect(Object.keys(pkg.dependencies)).toContain(mod);
      expect(builder.asarUnpack.some((p) => matches(p, `node_modules/${mod.split('/')[0]}/linux-x64/ffmpeg`)), mod).toBe(true);
    }
    // From the source checkout: the real binaries of this platform.
    const here = bundledFfmpeg();
    expect(here?.ffmpeg).toMatch(/ffmpeg(\.exe)?$/);
    expect(here?.ffprobe).toMatch(/ffprobe(\.exe)?$/);
    // In a packaged app the module paths point into app.asar; the binaries are in app.asar.unpacked.
    const res = mkdtempSync(join(tmpdir(), 'kiosk-resources-'));
    const inAsar = (tool: string) => join(res, 'app.asar', 'node_modules', `@${tool}-installer`, 'linux-x64', tool);
    for (const tool of ['ffmpeg', 'ffprobe']) {
      const unpacked = inAsar(tool).replace(`app.asar${sep}`, `app.asar.unpacked${sep}`);
      mkdirSync(dirname(unpacked), { recursive: true });
      writeFileSync(unpacked, '');
    }
    const packaged = bundledFfmpeg((id) => ({ path: inAsar(id.startsWith('@ffmpeg') ? 'ffmpeg' : 'ffprobe') }));
    expect(packaged).toEqual({
      ffmpeg: join(res, 'app.asar.unpacked', 'node_modules', '@ffmpeg-installer', 'linux-x64', 'ffmpeg'),
      ffprobe: join(res, 'app.asar.unpacked', 'node_modules', '@ffprobe-installer', 'linux-x64', 'ffprobe'),
    });
    // A platform without a shipped binary: the system ffmpeg is used instead.
    expect(
      bundledFfmpeg(() => {
        throw new Error('no binary for this platform');
      }),
    ).toBeNull();
    rmSync(res, { recursive: true, force: true });
  });

  it('puts models/ and assets/ where the packaged app looks for them', () => {
    const packaged = resourcePaths({ packaged: true, resourcesPath: '/opt/kiosk/resources' });
    const target = (from: string) => builder.extraResources.find((r) => r.from === from)?.to;
    expect(join('/opt/kiosk/resources', target('models')!)).toBe(packaged.modelsDir);
    expect(join('/opt/kiosk/resources', target('assets')!)).toBe(packaged.assetsDir);
    // Every model the manifest lists passes the resource filter.
    const manifest = JSON.parse(readFileSync(join(root, 'models', 'manifest.json'), 'utf8')) as { models: Record<string, { file: string }> };
    const filter = builder.extraResources.find((r) => r.from === 'models')!.filter!;
    const models = Object.values(manifest.models);
    expect(models.length).toBeGreaterThan(0);
    for (const m of models) {
      expect(existsSync(join(root, 'models', m.file))).toBe(true);
      expect(filter.some((p) => matches(p, m.file))).toBe(true);
    }
  });

  it('builds with the Electron version npm installs, flips the fuses, and targets the kiosk platforms', () => {
    expect(pkg.optionalDependencies.electron?.replace(/^[~^]/, '')).toBe(builder.electronVersion);
    expect(existsSync(join(root, builder.afterPack))).toBe(true);
    expect(readFileSync(join(root, builder.afterPack), 'utf8')).toMatch(/RunAsNode\]:\s*false/);
    expect(builder.win.target.map((t) => t.target)).toContain('nsis');
    expect(builder.nsis.perMachine).toBe(true);
    expect(builder.linux.target).toEqual(expect.arrayContaining(['AppImage', 'deb']));
  });

  it('resolves resources from the source checkout when not packaged', () => {
    const dev = resourcePaths({ root });
    expect(existsSync(join(dev.modelsDir, 'manifest.json'))).toBe(true);
    expect(existsSync(join(dev.assetsDir, 'styles.json'))).toBe(true);
    expect(dev.rendererDir).toBe(join(root, 'dist', 'renderer'));
  });
});
