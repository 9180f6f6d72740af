// Operator CLI: runs the configured AI provider outside the kiosk, to test credentials and prompts.
//   npm run generate -- [--provider jimeng|jimeng-sim|local] [--product puzzle|makeover] [--style <id>]
//                       [--outfit <id>] [--count 4] [--seed N] [--sim-latency-ms N] [--sim-faults name=p,…]
//                       --out <dir> <photo files…>
// Defaults: the provider in <dataDir>/config.json (or KIOSK_GENERATOR), the first enabled product
// and style of the catalog. `jimeng` uses config.json's jimeng section + JIMENG_* env variables;
// `jimeng-sim` starts the local simulator in-process. Photos go through the same on-device checks
// as at the kiosk (faces, compression) when the checks service is available; the quality gate then
// compares each variant with them. Prints ONE JSON summary line; exits 1 when no variant came out.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import type { FaceBox } from '../electron/shared/contract';
import { toKioskError } from '../electron/shared/result';
import { writeFileAtomic } from '../electron/main/infra/files';
import { dataDir, resourcePaths } from '../electron/main/infra/paths';
import { loadCatalog } from '../electron/main/services/catalog';
import { createJimengProvider } from '../electron/main/services/generator/jimeng';
import { startJimengSimulator, type JimengSimulator, type SimFaultRates } from '../electron/sim/jimeng/simulator';
import { createLocalGenerator } from '../electron/main/services/generator/local';
import { createQualityGate } from '../electron/main/services/generator/qualityGate';
import type { Generator, GenerateInput } from '../electron/main/services/generator/types';
import { runVariants, type VariantGate } from '../electron/main/services/generator/variants';
import { isProviderId, providerIds } from '../electron/main/providerRegistry';

interface Detector {
  checkPhoto(image: Buffer): Promise<{ faces: FaceBox[]; jpeg: Buffer | null; width: number; height: number; ok: boolean; reasons: { message: string }[] }>;
  detectFaces(image: Buffer): Promise<FaceBox[]>;
  close(): Promise<void>;
}

/** The on-device checks (another module); optional so the CLI still runs on a checkout without them. */
async function loadChecks(modelsDir: string): Promise<Detector | null> {
  const file = fileURLToPath(new URL('../electron/main/services/checks/index.ts', import.meta.url));
  if (!existsSync(file)) return null;
  try {
    const mod = (await import(pathToFileURL(file).href)) as { createChecksService?: (o: { modelsDir: string }) => Detector };
    return mod.createChecksService ? mod.createChecksService({ modelsDir }) : null;
  } catch (e) {
    process.stderr.write(`face checks unavailable (${(e as Error).message}); running without the quality gate\n`);
    return null;
  }
}

function fail(message: string, code = 2): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    provider: { type: 'string' },
    product: { type: 'string' },
    style: { type: 'string' },
    outfit: { type: 'string' },
    out: { type: 'string' },
    count: { type: 'string', default: '4' },
    seed: { type: 'string' },
    'sim-latency-ms': { type: 'string', default: '3000' },
    /** jimeng-sim only: name=probability,… (throttle, concurrent, input_audit, text_audit, server_error, hang, slow, post_audit, partial, broken_face). */
    'sim-faults': { type: 'string', default: '' },
  },
});
if (!values.out) fail('usage: npm run generate -- [--provider <name>] [--product <id>] [--style <id>] --out <dir> <photo files…>');
if (positionals.length === 0) fail('give at least one photo file');

const resources = resourcePaths();
const dir = dataDir();
const configPath = join(dir, 'config.json');
let fileConfig: { providers?: { generator?: string }; jimeng?: unknown; kioskId?: string } = {};
if (existsSync(configPath)) {
  try {
    fileConfig = JSON.parse(readFileSync(configPath, 'utf8')) as typeof fileConfig;
  } catch (e) {
    fail(`${configPath}: ${(e as Error).message}`);
  }
}
const provider = values.provider ?? process.env.KIOSK_GENERATOR ?? fileConfig.providers?.generator ?? providerIds('generator')[0];
/** The generators of the provider registry, plus the in-process simulator of each that has one. */
const SIMULATED = ['jimeng-sim'] as const;
const known = [...providerIds('generator'), ...SIMULATED];
if (!isProviderId('generator', provider) && !(SIMULATED as readonly string[]).includes(provider)) fail(`unknown provider ${provider} (${known.join(', ')})`);
const catalog = loadCatalog(resources.assetsDir);
const product = catalog.products.find((p) => (values.product ? p.id === values.product : p.enabled));
if (!product) fail(`unknown or disabled product ${values.product ?? ''} (have: ${catalog.products.map((p) => p.id).join(', ')})`);
const style = catalog.styles.find((s) => (values.style ? s.id === values.style : s.enabled && s.products.includes(product.id)));
if (!style) fail(`unknown style ${values.style ?? ''} (have: ${catalog.styles.map((s) => s.id).join(', ')})`);
const outfitId = values.outfit ?? null;
if (outfitId && !style.outfits.some((o) => o.id === outfitId)) fail(`style ${style.id} has no outfit ${outfitId}`);
const count = Math.max(1, Math.min(8, Number(values.count) || 4));
const outDir = resolve(values.out);
mkdirSync(outDir, { recursive: true });

// Credentials are checked before the face model is loaded, so a misconfiguration fails fast.
let checks: Detector | null = null;
let sim: JimengSimulator | null = null;
let generator: Generator;
let concurrency = 4;
let close = async () => {};
if (provider === 'local') {
  // checks is loaded below; the local generator asks for faces only when a photo arrives without them.
  generator = createLocalGenerator({ assetsDir: resources.assetsDir, detectFaces: (img) => (checks ? checks.detectFaces(img) : Promise.resolve([])) });
} else if (provider === 'jimeng' || provider === 'jimeng-sim') {
  const env = { ...process.env };
  if (provider === 'jimeng-sim') {
    const faults: SimFaultRates = {};
    for (const part of values['sim-faults'].split(',').filter(Boolean)) {
      const [name, p] = part.split('=');
      faults[name as keyof SimFaultRates] = Number(p);
    }
    sim = await startJimengSimulator({ latency: { kind: 'lognormal', medianMs: Number(values['sim-latency-ms']), sigma: 0.3 }, faults });
    Object.assign(env, { JIMENG_ENDPOINT: sim.url, JIMENG_ACCESS_KEY: sim.accessKey, JIMENG_SECRET_KEY: sim.secretKey });
  }
  const p = createJimengProvider({ fileSection: fileConfig.jimeng ?? {}, env, assetsDir: resources.assetsDir, dataDir: dir, kioskId: fileConfig.kioskId });
  if (!p.config.accessKey || !p.config.secretKey) fail('Jimeng credentials missing: set JIMENG_ACCESS_KEY and JIMENG_SECRET_KEY (or config.json jimeng.accessKey/secretKey)');
  generator = p.generator;
  concurrency = p.concurrency;
  close = p.close;
} else {
  fail(`provider ${provider} has no command-line runner yet (${known.join(', ')})`);
}

checks = await loadChecks(resources.modelsDir);
const photos: GenerateInput['photos'] = [];
for (const f of positionals.slice(0, product.maxPhotos)) {
  const raw = readFileSync(f);
  if (checks) {
    const c = await checks.checkPhoto(raw);
    if (!c.jpeg) fail(`${f}: not a readable image`);
    if (!c.ok) process.stderr.write(`${f}: ${c.reasons.map((r) => r.message).join('; ')} (continuing)\n`);
    photos.push({ jpeg: c.jpeg, faces: c.faces, width: c.width, height: c.height });
  } else {
    const { data, info } = await sharp(raw, { failOn: 'none' })
      .rotate()
      .resize(2048, 2048, { fit: 'inside', withoutEnlargement: true })
      .jpeg({ quality: 88 })
      .toBuffer({ resolveWithObject: true })
      .catch(() => fail(`${f}: not a readable image`));
    photos.push({ jpeg: data, faces: [], width: info.width, height: info.height });
  }
}
const detector = checks;
const gate: VariantGate | undefined =
  detector && photos.every((p) => p.faces.length > 0) ? createQualityGate((img) => detector.detectFaces(img)) : undefined;

const started = Date.now();
const written: string[] = [];
let summary: Record<string, unknown>;
let exitCode = 0;
try {
  const res = await runVariants({
    generator,
    input: { orderId: `cli-${Date.now().toString(36)}`, product, style, outfitId, photos, seed: values.seed ? Number(values.seed) : Math.floor(Math.random() * 1e6) },
    count,
    concurrency,
    signal: new AbortController().signal,
    gate,
    onVariant: (v) => {
      const ext = v.image[0] === 0x89 ? 'png' : 'jpg';
      const path = join(outDir, `variant-${v.index}.${ext}`);
      writeFileAtomic(path, v.image);
      written.push(path);
    },
    onRejected: (i, reason) => process.stderr.write(`variant ${i} rejected by the quality gate: ${reason}\n`),
  });
  summary = {
    provider,
    product: product.id,
    style: style.id,
    variants: written.length,
    requests: res.requests,
    retries: res.retries,
    rejected: res.rejected,
    gate: gate ? 'faces' : 'off',
    failures: res.failures.map((f) => ({ index: f.index, code: f.code, message: f.message })),
    seconds: Number(((Date.now() - started) / 1000).toFixed(2)),
    out: outDir,
  };
  if (written.length === 0) exitCode = 1;
} catch (e) {
  const k = toKioskError(e);
  summary = { provider, product: product.id, style: style.id, variants: written.length, error: k.code, message: k.message, detail: (e as Error).message, seconds: Number(((Date.now() - started) / 1000).toFixed(2)) };
  exitCode = 1;
}
process.stdout.write(`${JSON.stringify(summary)}\n`);
await close();
await checks?.close();
await sim?.close();
process.exit(exitCode);
