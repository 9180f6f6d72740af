// The worker protocol as the main process sees it: replies matched by sequence number, a slow
// request times out with a typed error, a dead worker is replaced, a broken model is reported.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as F from '../../bench/fixtures-faces';
import { defaultWorkerPath, NativeHost } from './client';

const modelsDir = join(import.meta.dirname, '..', '..', 'models');
const hosts: NativeHost[] = [];
const tmp = mkdtempSync(join(tmpdir(), 'host-'));
const bundleDirs: string[] = [];
mkdirSync(join(import.meta.dirname, '..', '..', '.tmp'), { recursive: true });
afterAll(async () => {
  await Promise.all(hosts.map((h) => h.close()));
  for (const d of [tmp, ...bundleDirs]) rmSync(d, { recursive: true, force: true });
});

function host(opts: Partial<ConstructorParameters<typeof NativeHost>[0]> = {}): NativeHost {
  const h = new NativeHost({ modelsDir, testHooks: true, timeoutMs: 20_000, ...opts });
  hosts.push(h);
  return h;
}

describe('NativeHost', () => {
  it('finds the worker beside the sources, and dist/native/worker.cjs beside a bundle', () => {
    expect(defaultWorkerPath('/app/native/host/client.ts')).toBe('/app/native/host/worker.ts');
    expect(defaultWorkerPath('/nowhere/dist/electron/main/index.cjs')).toBe('/nowhere/dist/electron/main/worker.cjs');
  });

  it('answers concurrent requests, each with its own reply', async () => {
    const h = host();
    const portrait = new Uint8Array(await F.portraitJpeg());
    const [check, sleep, faces] = await Promise.all([
      h.call('check-photo', { image: portrait }),
      h.call('sleep', { ms: 20 }),
      h.call('detect-faces', { image: new Uint8Array(F.coffeePng()) }),
    ]);
    expect(check.ok && check.value.faces.length).toBe(1);
    expect(check.ok && check.value.jpeg instanceof Uint8Array).toBe(true);
    expect(sleep).toEqual({ ok: true, value: { slept: 20 } });
    expect(faces).toEqual({ ok: true, value: [] });
  });

  it('times out a request with a typed, retryable error, and the next request works', async () => {
    const h = host();
    await h.ready();
    const r = await h.call('sleep', { ms: 60_000 }, { timeoutMs: 200 });
    expect(r).toEqual({ ok: false, error: expect.objectContaining({ code: 'CHECK_TIMEOUT', retryable: true }) });
    const next = await h.call('detect-faces', { image: new Uint8Array(F.astronautPng()) });
    expect(next.ok && next.value.length).toBe(1);
  });

  it('survives checks that time out in the middle of an inference: the worker is retired, not killed', async () => {
    // Terminating a worker thread inside an onnxruntime-node inference aborts the whole process
    // ("terminate called after throwing an instance of 'Napi::Error'"): this test would crash the
    // test runner. Time limits from 5 to 65 ms land inside decoding and inference alike.
    const h = host({ maxRestartsPerMinute: 100 });
    const photo = new Uint8Array(await F.portraitJpeg());
    let timedOut = 0;
    for (let i = 0; i < 12; i++) {
      await h.ready();
      const r = await h.call('check-photo', { image: photo.slice() }, { timeoutMs: 5 + ((i * 7) % 60) });
      if (!r.ok) timedOut++;
    }
    expect(timedOut).toBeGreaterThan(0);
    await h.ready();
    const next = await h.call('check-photo', { image: photo.slice() });
    expect(next.ok && next.value.faces.length).toBe(1);
  }, 60_000);

  it('replaces a worker that died; the request in flight gets CHECKER_RESTARTED', async () => {
    const h = host();
    await h.ready();
    const crashed = await h.call('crash', {});
    expect(crashed).toEqual({ ok: false, error: expect.objectContaining({ code: 'CHECKER_RESTARTED', retryable: true }) });
    const next = await h.call('detect-faces', { image: new Uint8Array(F.astronautPng()) });
    expect(next.ok && next.value.length).toBe(1);
  });

  it('reports a missing model as MODEL_UNAVAILABLE on every call, without restarting in a loop', async () => {
    const dir = mkdtempSync(join(tmp, 'nomodel-'));
    copyFileSync(join(modelsDir, 'manifest.json'), join(dir, 'manifest.json'));
    const events: string[] = [];
    const h = host({ modelsDir: dir, log: (_l, e) => events.push(e) });
    const r = await h.call('detect-faces', { image: new Uint8Array(F.astronautPng()) });
    expect(r).toEqual({ ok: false, error: expect.objectContaining({ code: 'MODEL_UNAVAILABLE', retryable: false }) });
    expect(r.ok || r.error.detail).toContain('Face model missing');
    expect(await h.call('guide-frame', { image: new Uint8Array(4) })).toMatchObject({ ok: false, error: { code: 'MODEL_UNAVAILABLE' } });
    expect(events.filter((e) => e === 'worker_exit')).toHaveLength(0);
  });

  it('runs the worker from an esbuild CJS bundle as scripts/build-main.mjs makes it', async () => {
    const { build } = await import('esbuild');
    // Inside the checkout (.tmp is git-ignored) so the bundle resolves sharp/onnxruntime from node_modules.
    const bundleDir = mkdtempSync(join(import.meta.dirname, '..', '..', '.tmp', 'bundle-'));
    bundleDirs.push(bundleDir);
    const outfile = join(bundleDir, 'dist', 'main', 'worker.cjs');
    await build({
      entryPoints: [join(import.meta.dirname, 'worker.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      outfile,
      external: ['sharp', 'onnxruntime-node'],
      logLevel: 'silent',
    });
    // A main bundle in dist/main/ finds its sibling worker.cjs.
    expect(defaultWorkerPath(join(bundleDir, 'dist', 'main', 'electron-main.cjs'))).toBe(outfile);
    const h = host({ workerPath: outfile });
    const r = await h.call('detect-faces', { image: new Uint8Array(F.astronautPng()) });
    expect(r).toMatchObject({ ok: true, value: [expect.objectContaining({ score: expect.any(Number) })] });
  });

  it('refuses calls after close', async () => {
    const h = host();
    await h.close();
    expect(await h.call('sleep', { ms: 1 })).toMatchObject({ ok: false, error: { code: 'CHECKER_CLOSED' } });
  });
});
